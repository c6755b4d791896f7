"""What one stage of an escalation sends: a message per contact and channel (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from alerts.escalation.contacts import Contact, channels_for, not_before_ms
from alerts.escalation.links import LinkSigner
from alerts.escalation.policy import Policy, Role
from alerts.texts import Place, render
from domain.alarms import Alarm
from stores.state.escalation import DeliveryRow, TimerRow

LINK_CHANNELS = frozenset({"sms", "email", "webhook"})


def delivery_key(t: TimerRow, contact: str, channel: str) -> str:
    """The idempotency key of one message: (alarm, generation, stage, round, recipient, channel)."""
    return f"{t.alarm_id}/{t.generation}/{t.stage}/{t.round}/{contact}/{channel}"


@dataclass(slots=True)
class Subject:
    alarm: Alarm
    place: Place
    contacts: list[Contact]


def compose(
    t: TimerRow, policy: Policy, subject: Subject, now: int, links: LinkSigner | None
) -> list[DeliveryRow]:
    """The messages of timer `t`'s stage; each says who else has been told so far."""
    stage = policy.stages[t.stage]
    told_roles = {r for s in policy.stages[: t.stage + 1] for r in s.roles}
    told_all = [c for c in subject.contacts if c.role in told_roles]
    deliveries: list[DeliveryRow] = []
    for contact in (c for c in subject.contacts if c.role in stage.roles):
        told = [c.name for c in told_all if c.contact_id != contact.contact_id]
        for channel in channels_for(contact, subject.alarm.severity):
            link = None
            if links is not None and contact.role is Role.FAMILY and channel in LINK_CHANNELS:
                link = links.url(t.alarm_id, contact.contact_id)
            message = render(
                subject.alarm,
                subject.place,
                language=contact.language,
                told=told,
                link=link,
                round_=t.round,
            )
            deliveries.append(
                DeliveryRow(
                    key=delivery_key(t, contact.contact_id, channel),
                    alarm_id=t.alarm_id,
                    generation=t.generation,
                    stage=t.stage,
                    round=t.round,
                    contact_id=contact.contact_id,
                    role=contact.role.value,
                    channel=channel,
                    address=contact.addresses[channel],
                    message=message,
                    next_ms=not_before_ms(contact, subject.alarm.severity, now),
                    created_ms=now,
                )
            )
    return deliveries
