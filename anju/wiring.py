"""The composition root: the one place that knows every part and puts them together.

`build(settings)` makes the stores, the live feed, the alarm service, the detector registry
(ingest's sink), the ingest service and the web app; `Anju.start()` / `stop()` run them in one
process (`anju serve`, `anju demo`, the end-to-end tests and `anju bench alerts`).
"""

from __future__ import annotations

import logging
import os
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI

from alerts.escalation.assembly import (
    ChannelConfig,
    Escalation,
    build_escalation,
    link_secret,
    make_channels,
)
from alerts.escalation.links import LinkSigner
from alerts.feed import LocalFeed
from alerts.service import AlarmService
from anju.settings import Settings
from broker.acl_dynsec import BrokerAccounts, BrokerError, DynsecBroker, UnmanagedBroker
from broker.credentials_service import ModelLookup, Provisioning
from detectors.base import Detector
from detectors.registry import DetectorContext, DetectorRegistry, builtin_detectors
from device_models.registry import SHIPPED_MODELS, ModelRegistry
from domain.clock import Clock, SystemClock
from domain.ports import StateStore, TimeSeriesStore
from ingest.service import IngestOptions, IngestService
from stores.factory import make_state, make_timeseries
from stores.state.device_credentials import CredentialStore
from stores.state.escalation import EscalationStore
from stores.state.presence import PresenceRecorder
from stores.state.records import BoardStore
from stores.state.sql import SqlStateStore
from web.app import HealthCheck, create_app
from web.auth.service import AuthOptions
from web.server import WebServer

log = logging.getLogger(__name__)


def ingest_options(settings: Settings) -> IngestOptions:
    return IngestOptions(
        host=settings.mqtt_host,
        port=settings.mqtt_port,
        client_id=settings.mqtt_client_id,
        protocol=settings.mqtt_protocol,
        share_group=settings.mqtt_share_group,
        session_expiry_s=settings.mqtt_session_expiry_s,
        username=settings.mqtt_username,
        password=settings.mqtt_password,
        tls=settings.mqtt_tls,
        batch_size=settings.ingest_batch_size,
        batch_ms=settings.ingest_batch_ms,
        queue_max=settings.ingest_queue_max,
        rate_per_s=settings.device_rate_per_s,
        burst=settings.device_burst,
    )


def make_stores(settings: Settings) -> tuple[TimeSeriesStore, StateStore]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    ts_store = make_timeseries(
        settings.timeseries,
        path=settings.resolved_timeseries_path(),
        influxdb_url=settings.influxdb_url,
        influxdb_token=settings.influxdb_token,
        influxdb_org=settings.influxdb_org,
        influxdb_bucket=settings.influxdb_bucket,
        spool_max_bytes=settings.influxdb_spool_max_bytes,
    )
    return ts_store, make_state(settings.resolved_state_url())


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


def health_checks(
    ts_store: TimeSeriesStore, state_store: StateStore, ingest: IngestService
) -> dict[str, HealthCheck]:
    def state() -> bool:
        state_store.get_home("__healthz__")
        return True

    def timeseries() -> bool:
        ts_store.query("__healthz__", 0, 1, limit=1)
        return True

    def broker() -> bool:
        return ingest.healthy

    return {"state_store": state, "timeseries": timeseries, "broker": broker}


def auth_options(settings: Settings) -> AuthOptions:
    return AuthOptions(
        session_hours=settings.session_hours,
        cookie_secure=settings.cookie_secure,
        login_max_failures=settings.login_max_failures,
        login_lock_s=settings.login_lock_s,
    )


def make_escalation(
    settings: Settings, state_store: StateStore, alarms: AlarmService, feed: LocalFeed, clock: Clock
) -> Escalation | None:
    """The escalation engine and its channels (issue 6); it keeps its rows beside the state."""
    if not settings.escalation:
        return None
    if not isinstance(state_store, SqlStateStore):
        log.warning("escalation needs the SQL state store; alarms will not be escalated")
        return None
    secret = link_secret(settings.link_secret, settings.data_dir)
    public = settings.public_url or f"http://{settings.http_host}:{settings.http_port}"
    dry_run = settings.data_dir / "notifications.jsonl" if settings.notify_dry_run else None
    channels = make_channels(
        ChannelConfig(
            dry_run_path=dry_run,
            webhook_secret=settings.webhook_secret or secret,
            smtp_host=settings.smtp_host,
            smtp_port=settings.smtp_port,
            smtp_sender=settings.smtp_sender,
            smtp_username=settings.smtp_username,
            smtp_password=settings.smtp_password,
            smtp_starttls=settings.smtp_starttls,
            provider_url=settings.sms_provider_url,
            provider_token=settings.sms_provider_token,
        )
    )
    store = EscalationStore(state_store.engine, schema=state_store.schema)
    signer = LinkSigner(secret, public)
    return build_escalation(store, alarms, feed, clock, channels=channels, signer=signer)


def make_provisioning(
    settings: Settings, state_store: StateStore, clock: Clock, models: ModelLookup | None = None
) -> Provisioning | None:
    """Device registration and per-device MQTT accounts (issue 9), rows beside the state."""
    if not isinstance(state_store, SqlStateStore):
        log.warning("device provisioning needs the SQL state store; it is off")
        return None
    broker: BrokerAccounts = UnmanagedBroker()
    if settings.mqtt_admin_password:
        broker = DynsecBroker(
            settings.mqtt_host,
            settings.mqtt_port,
            settings.mqtt_admin_username,
            settings.mqtt_admin_password,
            tls=ssl.create_default_context() if settings.mqtt_tls else None,
        )
    store = CredentialStore(state_store.engine, schema=state_store.schema)
    return Provisioning(store, state_store, models or device_models(), broker, clock)


def device_models() -> ModelLookup:
    """The device model registry (shipped models), loaded once."""
    from device_models.registry import ModelRegistry

    registry = ModelRegistry()
    for error in registry.load():
        log.error("device model: %s", error)
    return registry


def make_models(settings: Settings, clock: Clock, detectors: DetectorRegistry) -> ModelRegistry:
    """The device models (issue 9): shipped and the integrator's folders, reloaded on change
    (ingest polls them); their supervision windows and battery thresholds follow them into the
    detectors."""
    extra = [Path(p) for p in settings.device_models_dirs.split(os.pathsep) if p.strip()]
    models = ModelRegistry([SHIPPED_MODELS, *extra], clock=clock)

    def push(registry: ModelRegistry) -> None:
        loaded = registry.models()
        detectors.configure_models(
            {m.id: m.supervision.offline_after_s for m in loaded},
            {m.id: m.battery_low for m in loaded if m.battery_low is not None},
        )

    models.on_change(push)
    for error in models.load():
        log.error("device model file not loaded: %s", error)
    log.info("device models: %d loaded from %s", len(models), [str(d) for d in models.dirs])
    return models


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
