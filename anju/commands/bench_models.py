"""`anju bench models`: decode through a device model vs. the plain contract decode."""

from __future__ import annotations

import argparse

from anju.cli import Command
from anju.commands._bench import Doc, add_json_flag, report

_LABELS = {
    "baseline": "plain contract decode (baseline)",
    "json": "wristband JSON through its model",
    "binary": "LoRa binary through its model",
    "contract": "contract JSON through a model",
}


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, default=50_000, help="messages per path and run")
    parser.add_argument("--runs", type=int, default=5, help="runs per path, interleaved")
    add_json_flag(parser)


def _show(doc: Doc) -> None:
    print(
        f"{doc['n']} messages per path, {doc['runs']} runs, one thread, rates per second of CPU "
        f"time (medians); this process had {doc['cpu_share_of_wall']:.0%} of a core meanwhile"
    )
    for name, label in _LABELS.items():
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


def _run(args: argparse.Namespace) -> int:
    from benchmarks.device_models import run

    return report(args, lambda: run(args.n, args.runs), _show)


COMMANDS = [
    Command(
        ("bench", "models"),
        "decode through a device model (JSON, binary) vs the plain contract decode",
        _configure,
        _run,
    )
]
