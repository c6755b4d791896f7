"""The composition root: the one place that knows every part and puts them together.

`build(settings)` makes the stores, the live feed, the alarm service, the detector registry
(ingest's sink), the ingest service and the web app; `Anju.start()` / `stop()` run them in one
process (`anju serve`, `anju demo`, the end-to-end tests and `anju bench alerts`). How the settings
become each part is in `anju.wiring_parts`.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from fastapi import FastAPI

from alerts.escalation.assembly import Escalation
from alerts.feed import LocalFeed
from alerts.service import AlarmService
from anju.settings import Settings
from anju.wiring_parts import (
    auth_options,
    health_checks,
    ingest_options,
    make_escalation,
    make_models,
    make_provisioning,
    make_stores,
)
from broker.acl_dynsec import BrokerError
from broker.credentials_service import Provisioning
from detectors.base import Detector
from detectors.registry import DetectorContext, DetectorRegistry, builtin_detectors
from device_models.registry import ModelRegistry
from domain.clock import Clock, SystemClock
from domain.ports import StateStore, TimeSeriesStore
from ingest.service import IngestService
from stores.state.presence import PresenceRecorder
from stores.state.records import BoardStore
from stores.state.sql import SqlStateStore
from web.app import create_app
from web.server import WebServer

__all__ = [
    "Anju",
    "auth_options",
    "build",
    "health_checks",
    "ingest_options",
    "make_escalation",
    "make_models",
    "make_provisioning",
    "make_stores",
]

log = logging.getLogger(__name__)


@dataclass
class Anju:
    """Every part of one Anju process."""

    settings: Settings
    clock: Clock
    ts_store: TimeSeriesStore
    state_store: StateStore
    feed: LocalFeed
    alarms: AlarmService
    registry: DetectorRegistry
    ingest: IngestService
    app: FastAPI
    web: WebServer
    escalation: Escalation | None = None
    provisioning: Provisioning | None = None
    models: ModelRegistry | None = None
    _started: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.web.url

    def start(self, *, wait_connected_s: float = 10.0) -> Anju:
        try:
            self.web.start()
            self._started.append("web")
            if self.escalation is not None:  # before alarms can be raised: it follows the feed
                self.escalation.start()
                self._started.append("escalation")
            self.registry.start()
            self._started.append("registry")
            self._prepare_broker()
            self.ingest.start()
            self._started.append("ingest")
        except Exception:
            self.stop()
            raise
        if wait_connected_s > 0 and not self.ingest.wait_connected(wait_connected_s):
            log.warning(
                "ingest not connected to %s:%d yet; it keeps trying",
                self.settings.mqtt_host,
                self.settings.mqtt_port,
            )
        log.info("anju running: board %s, broker %s:%d", self.url, *self._broker())
        return self

    def stop(self) -> None:
        """Stop in reverse order: no new messages, then no new alarms, then the page, stores."""
        if "ingest" in self._started:
            self.ingest.stop()
        if "registry" in self._started:
            self.registry.stop()
        if "escalation" in self._started and self.escalation is not None:
            self.escalation.stop()
        if "web" in self._started:
            self.web.stop()
        self._started.clear()
        self.ts_store.close()
        self.state_store.close()
        log.info("anju stopped")

    def _prepare_broker(self) -> None:
        """Devices' accounts and Anju's own on the broker, before ingest logs in with it."""
        s = self.settings
        if self.provisioning is None or not s.mqtt_admin_password:
            return
        try:
            n = self.provisioning.prepare_broker(s.mqtt_username, s.mqtt_password)
            log.info("broker accounts in step with Anju's: %d", n)
        except BrokerError as exc:
            log.error("broker accounts not updated (devices keep their last rules): %s", exc)

    def _broker(self) -> tuple[str, int]:
        return self.settings.mqtt_host, self.settings.mqtt_port

    def __enter__(self) -> Anju:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def build(
    settings: Settings,
    *,
    clock: Clock | None = None,
    detectors: Sequence[Detector] | None = None,
    stores: tuple[TimeSeriesStore, StateStore] | None = None,
) -> Anju:
    clock = clock or SystemClock()
    ts_store, state_store = stores or make_stores(settings)
    feed = LocalFeed()
    alarms = AlarmService(state_store, feed, clock)
    if detectors is None:
        detectors = builtin_detectors(DetectorContext(state_store, ts_store, clock))
        if isinstance(state_store, SqlStateStore):  # the board's "last sign of life" per home
            board = BoardStore(state_store.engine, schema=state_store.schema)
            detectors = [*detectors, PresenceRecorder(board)]
    registry = DetectorRegistry(alarms, clock, detectors)
    models = make_models(settings, clock, registry)
    ingest = IngestService(
        ts_store, state_store, clock, registry, ingest_options(settings), models=models
    )
    app = create_app(
        state_store,
        feed,
        alarms,
        health=health_checks(ts_store, state_store, ingest),
        auth_options=auth_options(settings),
    )
    app.state.timeseries = ts_store  # the board's activity timeline and readings history
    escalation = make_escalation(settings, state_store, alarms, feed, clock)
    if escalation is not None:
        app.state.link_signer = escalation.signer
        app.state.escalation = escalation
    provisioning = make_provisioning(settings, state_store, clock, models)
    app.state.provisioning = provisioning
    if provisioning is not None:  # claims and revokes reach ingest's device directory at once
        provisioning.on_change(lambda _device: ingest.directory.refresh())
    web = WebServer(app, feed, settings.http_host, settings.http_port)
    return Anju(
        settings,
        clock,
        ts_store,
        state_store,
        feed,
        alarms,
        registry,
        ingest,
        app,
        web,
        escalation,
        provisioning,
        models,
    )


def settle_heap() -> None:
    """Once a long-running process has started: collect, then move every object made so far
    (stores, caches, models, the app) out of the cyclic collector's sight with `gc.freeze()`.
    Reference counting still frees them; full collections no longer walk them. Measured on the
    board's 500-alarm read with 10,000 homes: full collections were 68-111 ms pauses, p95 37 ->
    20 ms in-process. For `anju serve` and `anju demo` (and the web benchmark, which mirrors
    serve); not for tests, which build many apps in one process."""
    gc.collect()
    gc.freeze()
