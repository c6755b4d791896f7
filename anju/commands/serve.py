"""`anju serve`: ingest, detectors, alarms and the web board in one process."""

from __future__ import annotations

import argparse
import signal
import threading
from types import FrameType
from typing import Any

from anju import logging as anju_logging
from anju.cli import Command
from anju.settings import load


def wait_for_signal(stop: threading.Event | None = None) -> None:
    """Block until SIGINT (Ctrl-C) or SIGTERM."""
    stop = stop or threading.Event()

    def handler(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stop.wait(0.5):
            pass
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--http-port", type=int, help="web port (default ANJU_HTTP_PORT or 8000)")
    parser.add_argument("--mqtt-port", type=int, help="broker port (default ANJU_MQTT_PORT)")


def _run(args: argparse.Namespace) -> int:
    from anju.wiring import build, settle_heap

    overrides: dict[str, Any] = {}
    if args.http_port is not None:
        overrides["http_port"] = args.http_port
    if args.mqtt_port is not None:
        overrides["mqtt_port"] = args.mqtt_port
    settings = load(**overrides)
    anju_logging.configure(settings.log_level, settings.log_format)
    anju = build(settings).start()
    settle_heap()
    print(f"Anju board: {anju.url}/", flush=True)
    try:
        wait_for_signal()
    finally:
        anju.stop()
    return 0


COMMANDS = [
    Command(("serve",), "run ingest, detectors, alarms and the web board", _configure, _run)
]
