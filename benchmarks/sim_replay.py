"""The offline replay (`anju sim replay`) before and after its tuning, in the same run.

    .venv/bin/python benchmarks/sim_replay.py [--homes 10] [--days 2] [--repeat 3] [--json]

Each repetition runs the `month` scenario twice, each in a fresh child process (alternating, so
a busy machine weighs on both alike): once with `firmware_sim.replay.BEFORE` (detectors ticked
every 5 s, the device directory reloaded every simulated minute, SQLite with fsync, one point per
time-series write, every detector blob its own transaction) and once with the defaults of
`ReplayOptions`. Reports medians of wall time, CPU time, messages per CPU-second and peak RSS,
the ratios before/after, and both runs' scores (so a faster replay that scores differently
shows).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

CHILD = """
import json, resource, sys, time
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from firmware_sim import scenario
from firmware_sim.replay import BEFORE, ReplayOptions, replay
homes, days, which, out = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
opts = BEFORE if which == "before" else ReplayOptions()
start = datetime.fromisoformat("2026-03-02T00:00:00+08:00").timestamp()
w0, c0 = time.perf_counter(), time.process_time()
r = replay(scenario.load("month"), homes, days, seed=1, start=start, folder=out, options=opts)
print(json.dumps({
    "wall_s": time.perf_counter() - w0, "cpu_s": time.process_time() - c0,
    "messages": r["messages"], "recall": r.get("recall"),
    "false_alarms_per_home_day": r.get("false_alarms_per_home_day"),
    "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def run_one(homes: int, days: float, which: str, folder: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(homes), str(days), which, str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--homes", type=int, default=10)
    ap.add_argument("--days", type=float, default=2.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    runs: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            for which in ("before", "after") if i % 2 == 0 else ("after", "before"):
                folder = Path(tmp) / f"{which}-{i}"
                runs[which].append(run_one(args.homes, args.days, which, folder))
    report: dict[str, Any] = {"homes": args.homes, "days": args.days, "repeat": args.repeat}
    for which, rs in runs.items():
        report[which] = {
            "wall_s": round(statistics.median(r["wall_s"] for r in rs), 2),
            "cpu_s": round(statistics.median(r["cpu_s"] for r in rs), 2),
            "messages": rs[0]["messages"],
            "msgs_per_cpu_s": round(statistics.median(r["messages"] / r["cpu_s"] for r in rs)),
            "max_rss_mb": round(max(r["max_rss_mb"] for r in rs), 1),
            "recall": rs[0]["recall"],
            "false_alarms_per_home_day": rs[0]["false_alarms_per_home_day"],
        }
    b, a = report["before"], report["after"]
    report["ratio_wall"] = round(b["wall_s"] / a["wall_s"], 2)
    report["ratio_cpu"] = round(b["cpu_s"] / a["cpu_s"], 2)
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
