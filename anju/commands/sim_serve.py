"""`anju sim serve`: Anju on the simulator's clock, for accelerated runs through the broker.

The same Anju as `anju serve` (`anju.wiring.build`), but its clock is a `SimClock` that only the
simulator moves (`anju sim run --speed max --sim-clock`): see firmware_sim/simclock.py. Never
for production: every alarm it raises is stamped with simulated time.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Any

from anju.cli import Command


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--start", required=True, help="ISO time the simulated run starts")
    parser.add_argument("--http-port", type=int, help="web port (default ANJU_HTTP_PORT)")
    parser.add_argument("--mqtt-port", type=int, help="broker port (default ANJU_MQTT_PORT)")
    parser.add_argument("--state-url", help="state store (default: settings)")
    parser.add_argument("--data-dir", help="embedded stores' folder (default: settings)")


def _run(args: argparse.Namespace) -> int:
    from anju import logging as anju_logging
    from anju.commands.serve import wait_for_signal
    from anju.settings import load
    from anju.wiring import build
    from firmware_sim.simclock import ClockFollower, CountingSink, SimClock

    try:
        start = datetime.fromisoformat(args.start).timestamp()
    except ValueError:
        print(f"--start {args.start!r} is not an ISO time", file=sys.stderr)
        return 2
    overrides: dict[str, Any] = {}
    for name in ("http_port", "mqtt_port", "state_url", "data_dir"):
        if getattr(args, name) is not None:
            overrides[name] = getattr(args, name)
    settings = load(**overrides)
    anju_logging.configure(settings.log_level, settings.log_format)
    clock = SimClock(start)
    anju = build(settings, clock=clock)
    detectors = CountingSink(anju.ingest.sink)
    anju.ingest.sink = detectors
    anju.start()
    auth = (
        None
        if settings.mqtt_username is None
        else (
            settings.mqtt_username,
            settings.mqtt_password,
        )
    )
    follower = ClockFollower(
        clock,
        settings.mqtt_host,
        settings.mqtt_port,
        handled=lambda: anju.ingest.stats.received,
        backlog=lambda: anju.ingest.queue_depth,
        settled=lambda: detectors.done >= anju.ingest.stats.accepted,
        tick=anju.registry.tick,
        auth=auth,
    ).start()
    print(f"Anju on the simulated clock from {args.start}: {anju.url}/", flush=True)
    try:
        wait_for_signal()
    finally:
        follower.stop()
        anju.stop()
        print(f"clock steps {follower.steps}, timeouts {follower.timeouts}", flush=True)
    return 0


COMMANDS = [
    Command(
        ("sim", "serve"),
        "run Anju on the simulator's clock (accelerated runs through the broker)",
        _configure,
        _run,
    )
]
