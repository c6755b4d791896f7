"""`anju bench models`: decode through a device model vs. the plain contract decode."""

from __future__ import annotations

import argparse
import json
import sys

from anju.cli import Command


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, default=50_000, help="messages per path and run")
    parser.add_argument("--runs", type=int, default=5, help="runs per path, interleaved")
    parser.add_argument("--json", action="store_true", help="print JSON")


def _run(args: argparse.Namespace) -> int:
    from benchmarks.device_models import run

    doc = run(args.n, args.runs)
    if args.json:
        json.dump(doc, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    print(
        f"{doc['n']} messages per path, {doc['runs']} runs, one thread, rates per second of CPU "
        f"time (medians); this process had {doc['cpu_share_of_wall']:.0%} of a core meanwhile"
    )
    labels = {
        "baseline": "plain contract decode (baseline)",
        "json": "wristband JSON through its model",
        "binary": "LoRa binary through its model",
        "contract": "contract JSON through a model",
    }
    for name, label in labels.items():
        e = doc[name]
        goal = ""
        if "meets_goal" in e:
            goal = "  goal >= 50,000: " + ("met" if e["meets_goal"] else "NOT met")
        print(
            f"  {label:34s} {e['msgs_per_s']:>9,} msg/s  x{e['ratio_to_baseline']:<6} "
            f"runs {e['runs']}{goal}"
        )
    g = doc["guard"]
    print(
        f"  watchdog: decoder {g['decoder_us']} us/call direct, {g['guarded_us']} us guarded "
        f"(+{g['overhead_us']} us)"
    )
    return 0


COMMANDS = [
    Command(
        ("bench", "models"),
        "decode through a device model (JSON, binary) vs the plain contract decode",
        _configure,
        _run,
    )
]
