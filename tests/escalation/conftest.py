"""A real escalation rig: state store (SQLite file or PostgreSQL), alarm service, engine, outbox
dispatcher with real channels pointed at loopback receivers, and a clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from alerts.channels.base import Channel
from alerts.channels.provider import ProviderChannel
from alerts.channels.webhook import WebhookChannel
from alerts.escalation.contacts import Contact
from alerts.escalation.engine import EscalationEngine
from alerts.escalation.links import LinkSigner
from alerts.escalation.policy import Role
from alerts.feed import LocalFeed
from alerts.outbox import Dispatcher
from alerts.service import AlarmService
from domain.alarms import AlarmState, Detection, Severity
from domain.clock import ManualClock
from domain.model import Home, Resident
from stores.state.escalation import DeliveryRow, EscalationStore
from stores.state.sql import SqlStateStore
from tests.channels.receivers import HttpReceiver, http_receiver
from tests.conftest import sql_store

T0 = 1_767_258_000.0  # 2026-01-01 17:00 Asia/Shanghai (09:00 UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def stores(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[SqlStateStore, EscalationStore]]:
    with sql_store(request.param, tmp_path, prefix="anju_esc") as state:
        yield state, EscalationStore(state.engine, schema=state.schema)


def contacts(hook: str) -> list[Contact]:
    return [
        Contact(
            "fam1",
            "李明",
            Role.FAMILY,
            "h1",
            "zh-CN",
            {"webhook": hook + "/fam1", "sms": "+8613800000001"},
        ),
        Contact("fam2", "Anna Li", Role.FAMILY, "h1", "en", {"webhook": hook + "/fam2"}),
        Contact(
            "centre", "景洪呼叫中心", Role.CALL_CENTRE, "c1", "zh-CN", {"webhook": hook + "/centre"}
        ),
        Contact("sup", "值班主管", Role.SUPERVISOR, "c1", "zh-CN", {"webhook": hook + "/sup"}),
        Contact("e120", "120", Role.EMERGENCY, "c1", "zh-CN", {"voice": "120"}),
        Contact("ops", "运维", Role.OPERATOR, "c1", "zh-CN", {"webhook": hook + "/ops"}),
    ]


@dataclass
class Rig:
    state: SqlStateStore
    esc: EscalationStore
    clock: ManualClock
    service: AlarmService
    engine: EscalationEngine
    dispatcher: Dispatcher
    rx: HttpReceiver
    links: LinkSigner

    def raise_alarm(self, type_: str, severity: Severity, home: str = "h1") -> str:
        alarm = self.service.on_detection(
            Detection(home, type_, severity, int(self.clock.now() * 1000))
        )
        self.engine.on_change("raised", alarm.alarm_id)
        return alarm.alarm_id

    def at(self, seconds: float) -> int:
        """Move the clock to T0 + seconds, tick, send; returns how many timers fired."""
        self.clock.set(T0 + seconds)
        fired = self.engine.tick()
        self.dispatcher.run_once()
        return fired

    def delivered(self, alarm_id: str) -> list[DeliveryRow]:
        return [d for d in self.esc.deliveries(alarm_id) if d.status == "delivered"]

    def told(self, alarm_id: str, stage: int | None = None) -> set[str]:
        return {d.contact_id for d in self.delivered(alarm_id) if stage is None or d.stage == stage}


def mark_notified(service: AlarmService, row: DeliveryRow) -> None:
    alarm = service.get(row.alarm_id)
    if alarm is not None and alarm.state is AlarmState.RAISED:
        service.mark(row.alarm_id, AlarmState.NOTIFIED, "system", f"{row.channel} {row.contact_id}")


def make_rig(
    state: SqlStateStore, esc: EscalationStore, rx: HttpReceiver, clock: ManualClock
) -> Rig:
    state.upsert_home(Home("h1", "c1", "景洪市 曼听路 8 号", 22.0069, 100.7978))
    state.upsert_resident(Resident("r1", "h1", "王秀英", birth_year=1950))
    for c in contacts(rx.url):
        esc.save_contact(c.contact_id, c.scope, c.to_json())
    service = AlarmService(state, LocalFeed(), clock)
    links = LinkSigner("a-secret-of-sixteen+", "https://anju.example")
    engine = EscalationEngine(esc, state, clock, links=links)
    channels: dict[str, Channel] = {
        "webhook": WebhookChannel("hook-secret", retries=0),
        "sms": ProviderChannel("sms", rx.url + "/provider", "tok"),
        "voice": ProviderChannel("voice", rx.url + "/provider", "tok"),
    }
    dispatcher = Dispatcher(esc, channels, clock, on_delivered=lambda r: mark_notified(service, r))
    return Rig(state, esc, clock, service, engine, dispatcher, rx, links)


@pytest.fixture
def any_rig(stores: tuple[SqlStateStore, EscalationStore]) -> Iterator[Rig]:
    """On SQLite and on PostgreSQL."""
    state, esc = stores
    with http_receiver() as rx:
        yield make_rig(state, esc, rx, ManualClock(T0))


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    """On SQLite (the policy tests; the store is exercised on both by `any_rig` tests)."""
    state = SqlStateStore(f"sqlite:///{tmp_path / 'state.db'}")
    with http_receiver() as rx:
        yield make_rig(state, EscalationStore(state.engine), rx, ManualClock(T0))
    state.close()
