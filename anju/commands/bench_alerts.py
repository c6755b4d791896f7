"""`anju bench alerts`: SOS publish -> live feed latency under background readings."""

from __future__ import annotations

import argparse

from anju.cli import Command
from anju.commands._bench import Doc, add_json_flag, cannot_run, mosquitto_missing, report, say


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, default=200, help="SOS presses under load")
    parser.add_argument("--idle-n", type=int, default=50, help="SOS presses with no load")
    parser.add_argument("--rate", type=float, default=2000.0, help="background readings/s")
    parser.add_argument("--homes", type=int, default=50)
    parser.add_argument("--pendants", type=int, default=4, help="background devices per home")
    parser.add_argument("--gap", type=float, default=0.1, help="mean seconds between presses")
    parser.add_argument("--settle", type=float, default=2.0, help="seconds of load before")
    add_json_flag(parser)


def _show(doc: Doc) -> None:
    print(
        f"SOS -> live feed under {doc['background_per_s']:.0f} readings/s: "
        f"p50 {doc['p50_ms']} ms, p99 {doc['p99_ms']} ms (n={doc['n']}, lost {doc['lost']})\n"
        f"  idle:      p50 {doc['idle_p50_ms']} ms, p99 {doc['idle_p99_ms']} ms\n"
        f"  MQTT only: p50 {doc['mqtt_p50_ms']} ms, p99 {doc['mqtt_p99_ms']} ms\n"
        f"  background stored {doc['background_stored']} of {doc['background_sent']} sent"
    )


def _run(args: argparse.Namespace) -> int:
    if mosquitto_missing():
        return cannot_run("mosquitto is not installed")
    from benchmarks.alerts import run

    return report(
        args,
        lambda: run(
            args.n,
            rate=args.rate,
            idle_n=args.idle_n,
            homes=args.homes,
            pendants=args.pendants,
            gap_s=args.gap,
            settle_s=args.settle,
            log=say,
        ),
        _show,
    )


COMMANDS = [Command(("bench", "alerts"), "SOS -> board feed latency under load", _configure, _run)]
