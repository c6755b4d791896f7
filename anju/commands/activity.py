"""`anju convert vankasteren`, `anju eval activity`, `anju bench activity`."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from anju.cli import Command
from anju.commands._bench import add_json_flag, report, show_lines


def _convert_configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("src", type=Path, help="folder with houseX.sensors, .sensor_names, ...")
    parser.add_argument("out", type=Path, help="one replay folder per house is written here")


def _convert(args: argparse.Namespace) -> int:
    from detectors.activity.vankasteren import convert_house, houses

    found = houses(args.src)
    if not found:
        print(f"no houseX.sensors in {args.src}")
        return 2
    for house in found:
        counts = convert_house(args.src, house, args.out / f"house{house}")
        print(f"house{house}: {counts}")
    return 0


ORACLE_MARGINS = (1.0, 1.5, 2.0, 3.0)


def _eval_configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", type=Path, nargs="+", help="replay folder(s): events.csv, ...")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--collapse", type=int, default=0, help="simulated collapses per house")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--learning-days", type=float, default=7.0)
    parser.add_argument("--tick", type=float, default=60.0, help="seconds between ticks")
    parser.add_argument(
        "--judge-from",
        type=float,
        default=None,
        help="judge alarms and place cuts from this day on (default: the learning days)",
    )
    parser.add_argument(
        "--judge-until", type=float, default=None, help="... and before this day (default: end)"
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the fixed 12 h rule")
    parser.add_argument(
        "--oracle",
        action="store_true",
        help="with --collapse: also learners told by the labels where she is (what the "
        "silences allow; detectors/activity/oracle.py)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override an activity setting (repeatable), e.g. --set gap_quantile=0.99",
    )


def _overrides(pairs: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for pair in pairs:
        name, _, raw = pair.partition("=")
        values[name.strip()] = json.loads(raw)
    return values


def evaluate_dir(directory: Path, args: argparse.Namespace) -> dict[str, Any]:
    import dataclasses

    from detectors.activity.config import FIXED_12H, ActivityConfig
    from detectors.activity.evaluate import (
        Replay,
        alert_rows,
        collapse,
        day_cuts,
        false_alarms,
        full_run,
        night_bathroom_cuts,
        window,
    )
    from detectors.activity.replay import load

    cfg = ActivityConfig(learning_days=args.learning_days).with_overrides(_overrides(args.set))
    replay = Replay.of(load(directory, home_id=directory.name.lower()[:60] or "replay"))
    rec = replay.recording
    found = full_run(replay, cfg, args.tick)
    judge = (cfg.learning_days if args.judge_from is None else args.judge_from, args.judge_until)
    result: dict[str, Any] = {
        "home": directory.name,
        "days": round((rec.end_ms - rec.start_ms) / 86_400_000, 2),
        "events": len(replay.items),
        "learning_days": cfg.learning_days,
        "alerts": alert_rows(
            [d for d in found if d.type not in ("prewarning", "prewarning_cancelled")]
        ),
        "judged_days": list(judge),
        "judged_span": [
            datetime.fromtimestamp(ms / 1000, UTC).replace(tzinfo=None).isoformat()
            for ms in window(rec, *judge)
        ],
        "after_learning": false_alarms(found, replay, *judge),
    }
    baseline = dataclasses.replace(FIXED_12H)
    if not args.no_baseline:
        result["baseline_fixed_12h"] = {
            "after_learning": false_alarms(full_run(replay, baseline, args.tick), replay, *judge)
        }
    if args.collapse > 0:
        day = day_cuts(replay, args.collapse, args.seed, *judge)
        night = night_bathroom_cuts(replay, args.collapse, args.seed, *judge)
        result["collapse_day"] = collapse(replay, day, cfg, args.tick)
        if args.oracle:
            from detectors.activity.oracle import table

            result["oracle_day"] = table(replay, day, judge[0], ORACLE_MARGINS)
        result["collapse_night_bathroom"] = collapse(replay, night, cfg, args.tick)
        label_only = night_bathroom_cuts(replay, args.collapse, args.seed, *judge, sensed=False)
        result["collapse_night_bathroom_label_only"] = collapse(replay, label_only, cfg, args.tick)
        if not args.no_baseline:
            result["baseline_fixed_12h"]["collapse_day"] = collapse(
                replay, day, baseline, args.tick
            )
            result["baseline_fixed_12h"]["collapse_night_bathroom"] = collapse(
                replay, night, baseline, args.tick
            )
    return result


def _eval(args: argparse.Namespace) -> int:
    results = [evaluate_dir(d, args) for d in args.dir]
    if args.json:
        print(json.dumps(results[0] if len(results) == 1 else results, indent=1))
        return 0
    for r in results:
        fa = r["after_learning"]
        print(
            f"{r['home']}: {r['days']} days, {fa['false_care_alarms']} care alarms in "
            f"{fa['evaluated_days']} days after learning ({fa['per_30_days']} per 30 days)"
        )
        for key in (
            "collapse_day",
            "collapse_night_bathroom",
            "collapse_night_bathroom_label_only",
        ):
            if key in r:
                base = r.get("baseline_fixed_12h", {}).get(key)
                print(f"  {key}: {r[key]}" + (f"  baseline 12 h: {base}" if base else ""))
        for learner, figures in r.get("oracle_day", {}).items():
            print(f"  oracle {learner}: {figures}")
    return 0


def _bench_configure(parser: argparse.ArgumentParser) -> None:
    add_json_flag(parser)
    parser.add_argument("--homes", type=int, default=200)
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--seed", type=int, default=1)


def _bench(args: argparse.Namespace) -> int:
    from benchmarks.activity import bench

    return report(args, lambda: bench(args.homes, args.hours, args.seed), show_lines)


COMMANDS = [
    Command(
        ("convert", "vankasteren"),
        "van Kasteren homes -> replay folders",
        _convert_configure,
        _convert,
    ),
    Command(
        ("eval", "activity"), "replay homes through the activity detectors", _eval_configure, _eval
    ),
    Command(
        ("bench", "activity"),
        "events/s of the activity + supervision detectors",
        _bench_configure,
        _bench,
    ),
]
