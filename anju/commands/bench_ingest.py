"""`anju bench ingest`: ingest throughput against a bare paho subscriber, same run, real broker."""

from __future__ import annotations

import argparse

from anju.cli import Command
from anju.commands._bench import Doc, add_json_flag, report


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, default=200_000, help="QoS 1 readings per round")
    parser.add_argument("--devices", type=int, default=1000, help="provisioned devices")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (medians are reported)")
    add_json_flag(parser)


def _show(doc: Doc) -> None:
    print(
        f"{doc['n']} QoS 1 readings over {doc['devices']} devices, "
        f"{len(doc['rounds'])} rounds (medians)"
    )
    print(f"  ingest   {doc['readings_per_s']:>8,} readings/s (stored, acknowledged)")
    print(f"  baseline {doc['baseline_per_s']:>8,} messages/s (paho + json.loads)")
    print(f"  ratio    {doc['ratio']}   lost {doc['lost']}   duplicates {doc['duplicates']}")


def _run(args: argparse.Namespace) -> int:
    from benchmarks.ingest import run

    return report(
        args,
        lambda: run(args.n, args.devices, args.rounds),
        _show,
        passed=lambda doc: doc["lost"] == 0 and doc["duplicates"] == 0,
    )


COMMANDS = [
    Command(
        ("bench", "ingest"),
        "ingest throughput vs a bare paho subscriber through Mosquitto",
        _configure,
        _run,
    )
]
