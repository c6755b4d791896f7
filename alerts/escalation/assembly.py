"""Puts the escalation parts together for one Anju process (used by the composition root).

The engine follows the live feed in its own thread and ticks the timers; the outbox
dispatcher sends in another. The first delivery of an alarm marks it `notified`.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

from alerts.channels.base import Channel
from alerts.channels.email import EmailChannel
from alerts.channels.log import LogChannel
from alerts.channels.provider import ProviderChannel
from alerts.channels.webhook import WebhookChannel
from alerts.escalation.contacts import Contact
from alerts.escalation.engine import EscalationEngine
from alerts.escalation.links import LinkSigner
from alerts.escalation.policy import Role
from alerts.escalation.runner import EscalationRunner
from alerts.feed import Feed
from alerts.outbox import Dispatcher
from alerts.service import AlarmConflictError, AlarmService
from domain.alarms import AlarmState
from domain.clock import Clock
from domain.model import Home
from stores.state.escalation import DeliveryRow, EscalationStore

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ChannelConfig:
    dry_run_path: Path | None = None  # set: every channel only writes JSON lines here
    webhook_secret: str = ""
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str = "anju@localhost"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    provider_url: str | None = None
    provider_token: str = ""


def make_channels(cfg: ChannelConfig) -> dict[str, Channel]:
    if cfg.dry_run_path is not None:
        return {n: LogChannel(n, cfg.dry_run_path) for n in ("webhook", "email", "sms", "voice")}
    channels: dict[str, Channel] = {"webhook": WebhookChannel(cfg.webhook_secret)}
    if cfg.smtp_host:
        channels["email"] = EmailChannel(
            cfg.smtp_host,
            cfg.smtp_port,
            cfg.smtp_sender,
            username=cfg.smtp_username,
            password=cfg.smtp_password,
            starttls=cfg.smtp_starttls,
        )
    if cfg.provider_url:
        channels["sms"] = ProviderChannel("sms", cfg.provider_url, cfg.provider_token)
        channels["voice"] = ProviderChannel("voice", cfg.provider_url, cfg.provider_token)
    return channels


def link_secret(configured: str | None, data_dir: Path) -> str:
    """The configured secret, or one made once and kept in the data folder."""
    if configured:
        return configured
    path = data_dir / "link_secret"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


@dataclass
class Escalation:
    store: EscalationStore
    engine: EscalationEngine
    dispatcher: Dispatcher
    runner: EscalationRunner
    signer: LinkSigner

    def start(self) -> None:
        self.dispatcher.start()
        self.runner.start()
        self.dispatcher.wake()

    def stop(self) -> None:
        self.runner.stop()
        self.dispatcher.stop()


def build_escalation(
    store: EscalationStore,
    alarms: AlarmService,
    feed: Feed,
    clock: Clock,
    *,
    channels: dict[str, Channel],
    signer: LinkSigner,
) -> Escalation:
    seen: set[str] = set()
    dispatcher = Dispatcher(
        store, channels, clock, on_delivered=lambda r: _notified(alarms, r, seen)
    )
    engine = EscalationEngine(store, alarms.store, clock, links=signer, on_queued=dispatcher.submit)
    runner = EscalationRunner(engine, feed, clock)
    return Escalation(store, engine, dispatcher, runner, signer)


def _notified(alarms: AlarmService, row: DeliveryRow, seen: set[str]) -> None:
    """The first message out moves a raised alarm to notified (looked at once per alarm)."""
    if row.alarm_id in seen:
        return
    if len(seen) > 100_000:
        seen.clear()
    seen.add(row.alarm_id)
    alarm = alarms.get(row.alarm_id)
    if alarm is None or alarm.state is not AlarmState.RAISED:
        return
    with contextlib.suppress(AlarmConflictError):  # taken or closed meanwhile
        alarms.mark(row.alarm_id, AlarmState.NOTIFIED, "system", f"{row.channel}:{row.contact_id}")


def demo_contacts(store: EscalationStore, homes: list[Home]) -> int:
    """Contacts for demo homes (a family member per home, the community's centre, supervisor,
    120 and operators), all on channels that only log. Existing contacts are kept."""
    made = 0
    communities = sorted({h.community_id for h in homes})
    people: list[Contact] = []
    for h in homes:
        people.append(
            Contact(f"{h.home_id}-family", f"{h.home_id} 家属", Role.FAMILY, h.home_id,
                    addresses={"sms": "+86-demo", "webhook": "log:family"})
        )  # fmt: skip
    for c in communities:
        hook, sms = {"webhook": "log"}, {"sms": "+86"}
        people += [
            Contact(f"{c}-centre", f"{c} 呼叫中心", Role.CALL_CENTRE, c, addresses=hook),
            Contact(f"{c}-supervisor", f"{c} 值班主管", Role.SUPERVISOR, c, addresses=sms),
            Contact(f"{c}-120", "120", Role.EMERGENCY, c, addresses={"voice": "120"}),
            Contact(f"{c}-ops", f"{c} 运维", Role.OPERATOR, c, addresses=hook),
        ]
    existing = {
        c["contact_id"] for c in store.contacts([*communities, *(h.home_id for h in homes)])
    }
    for person in people:
        if person.contact_id not in existing:
            store.save_contact(person.contact_id, person.scope, person.to_json())
            made += 1
    return made
