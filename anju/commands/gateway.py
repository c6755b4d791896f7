"""`anju gateway run`: the home gateway; `anju bench gateway`: its figures.

`anju gateway run` re-executes itself as `python -m gateway` so that the long-running process
carries only the gateway's own imports (a Raspberry-Pi-class box, ≤ 50 MB resident).
"""

from __future__ import annotations

import argparse
import os
import sys

from anju.cli import Command
from gateway.config import add_arguments


def _configure_run(parser: argparse.ArgumentParser) -> None:
    add_arguments(parser)
    parser.add_argument("--log-level", default="INFO")


def _run(args: argparse.Namespace) -> int:
    probe = argparse.ArgumentParser(add_help=False)
    _configure_run(probe)
    argv: list[str] = []
    for action in probe._actions:
        value = getattr(args, action.dest, None)
        if value is not None and action.option_strings:
            argv += [action.option_strings[0], str(value)]
    sys.stdout.flush()
    os.execv(sys.executable, [sys.executable, "-m", "gateway", *argv])


def _configure_bench(parser: argparse.ArgumentParser) -> None:
    from benchmarks.gateway import configure

    configure(parser)


def _bench(args: argparse.Namespace) -> int:
    from benchmarks.gateway import run

    return run(args)


COMMANDS = [
    Command(("gateway", "run"), "run the home gateway (store and forward)", _configure_run, _run),
    Command(
        ("bench", "gateway"),
        "gateway figures: queue, replay, live latency, RSS",
        _configure_bench,
        _bench,
    ),
]
