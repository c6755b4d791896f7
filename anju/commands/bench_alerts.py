"""`anju bench alerts`: SOS publish -> live feed latency under background readings."""

from __future__ import annotations

import argparse
import json
import sys

from anju.cli import Command


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, default=200, help="SOS presses under load")
    parser.add_argument("--idle-n", type=int, default=50, help="SOS presses with no load")
    parser.add_argument("--rate", type=float, default=2000.0, help="background readings/s")
    parser.add_argument("--homes", type=int, default=50)
    parser.add_argument("--pendants", type=int, default=4, help="background devices per home")
    parser.add_argument("--gap", type=float, default=0.1, help="mean seconds between presses")
    parser.add_argument("--settle", type=float, default=2.0, help="seconds of load before")
    parser.add_argument("--json", action="store_true", help="print JSON")


def _run(args: argparse.Namespace) -> int:
    from broker.mosquitto import find_mosquitto

    if find_mosquitto() is None:
        print("mosquitto is not installed", file=sys.stderr)
        return 2
    from benchmarks.alerts import run

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    doc = run(
        args.n,
        rate=args.rate,
        idle_n=args.idle_n,
        homes=args.homes,
        pendants=args.pendants,
        gap_s=args.gap,
        settle_s=args.settle,
        log=say,
    )
    if args.json:
        json.dump(doc, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    print(
        f"SOS -> live feed under {doc['background_per_s']:.0f} readings/s: "
        f"p50 {doc['p50_ms']} ms, p99 {doc['p99_ms']} ms (n={doc['n']}, lost {doc['lost']})\n"
        f"  idle:      p50 {doc['idle_p50_ms']} ms, p99 {doc['idle_p99_ms']} ms\n"
        f"  MQTT only: p50 {doc['mqtt_p50_ms']} ms, p99 {doc['mqtt_p99_ms']} ms\n"
        f"  background stored {doc['background_stored']} of {doc['background_sent']} sent"
    )
    return 0


COMMANDS = [Command(("bench", "alerts"), "SOS -> board feed latency under load", _configure, _run)]
