"""`anju ingest`: the ingest service alone in its own process (SIGTERM or Ctrl-C stop it cleanly).

It stores what devices say and keeps the dead letters; it runs no detectors (`anju serve` runs
ingest together with the detectors, the alarms and the board).
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from types import FrameType

from anju.cli import Command
from anju.settings import load
from domain.clock import SystemClock
from ingest.service import IngestService

log = logging.getLogger("anju.ingest")


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--metrics-port", type=int, default=0, help="serve Prometheus /metrics on this port"
    )


def _run(args: argparse.Namespace) -> int:
    from anju.wiring import ingest_options, make_stores

    settings = load()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.metrics_port:
        from prometheus_client import start_http_server

        start_http_server(args.metrics_port, addr=settings.http_host)
    ts_store, state_store = make_stores(settings)
    stop = threading.Event()

    def _on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %d: stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    service = IngestService(ts_store, state_store, SystemClock(), options=ingest_options(settings))
    service.start()
    log.info(
        "ingest running: %s:%d as %s",
        settings.mqtt_host,
        settings.mqtt_port,
        settings.mqtt_client_id,
    )
    try:
        while not stop.wait(1.0):
            pass
    finally:
        service.stop()
        ts_store.close()
        state_store.close()
        log.info("ingest stopped: %s", service.stats)
    return 0


COMMANDS = [
    Command(
        ("ingest",),
        "run ingest alone (MQTT -> stores; `anju serve` adds detectors and web)",
        _configure,
        _run,
    )
]
