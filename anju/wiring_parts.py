"""How the settings become each part that `anju.wiring.build` puts together: the stores, ingest's
and the web's options, the health checks, escalation, device provisioning and the device models.
"""

from __future__ import annotations

import logging
import os
import ssl
from pathlib import Path

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
from broker.acl_dynsec import BrokerAccounts, DynsecBroker, UnmanagedBroker
from broker.credentials_service import ModelLookup, Provisioning
from detectors.registry import DetectorRegistry
from device_models.registry import SHIPPED_MODELS, ModelRegistry
from domain.clock import Clock
from domain.ports import StateStore, TimeSeriesStore
from ingest.service import IngestOptions, IngestService
from stores.factory import make_state, make_timeseries
from stores.state.device_credentials import CredentialStore
from stores.state.escalation import EscalationStore
from stores.state.sql import SqlStateStore
from web.app import HealthCheck
from web.auth.service import AuthOptions

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
