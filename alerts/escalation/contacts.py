"""Who is told: contacts with their channels, preferences and quiet hours.

Critical alarms go out on every channel a contact has, at any hour. Non-critical notices use the
contact's preferred channels only and wait for the end of the contact's quiet hours.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from alerts.escalation.policy import Role
from domain.alarms import Severity

CHANNELS = ("voice", "sms", "email", "webhook")


@dataclass(frozen=True, slots=True)
class Contact:
    contact_id: str
    name: str
    role: Role
    scope: str  # a home_id (family) or a community_id (centre, supervisor, 120, operators)
    language: str = "zh-CN"
    addresses: Mapping[str, str] = field(default_factory=dict)  # channel -> phone/e-mail/url
    preferred: tuple[str, ...] = ()  # channels for non-critical notices; empty: all
    quiet: tuple[str, str] | None = None  # ("22:00", "07:00") local time, non-critical only
    timezone: str = "Asia/Shanghai"

    def to_json(self) -> dict[str, Any]:
        return {
            "contact_id": self.contact_id,
            "name": self.name,
            "role": self.role.value,
            "scope": self.scope,
            "language": self.language,
            "addresses": dict(self.addresses),
            "preferred": list(self.preferred),
            "quiet": None if self.quiet is None else list(self.quiet),
            "timezone": self.timezone,
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Contact:
        quiet = d.get("quiet")
        return cls(
            contact_id=str(d["contact_id"]),
            name=str(d["name"]),
            role=Role(d["role"]),
            scope=str(d["scope"]),
            language=str(d.get("language", "zh-CN")),
            addresses={str(k): str(v) for k, v in d.get("addresses", {}).items()},
            preferred=tuple(d.get("preferred", ())),
            quiet=None if quiet is None else (str(quiet[0]), str(quiet[1])),
            timezone=str(d.get("timezone", "Asia/Shanghai")),
        )


def channels_for(contact: Contact, severity: Severity) -> list[str]:
    """The channels to use for this contact and severity, in CHANNELS order."""
    have = [c for c in CHANNELS if contact.addresses.get(c)]
    if severity is Severity.CRITICAL or not contact.preferred:
        return have
    return [c for c in have if c in contact.preferred]


def not_before_ms(contact: Contact, severity: Severity, at_ms: int) -> int:
    """When a notice may go out: at once, or at the end of the contact's quiet hours."""
    if severity is Severity.CRITICAL or contact.quiet is None:
        return at_ms
    tz = ZoneInfo(contact.timezone)
    local = datetime.fromtimestamp(at_ms / 1000, tz)
    start = _minutes(contact.quiet[0])
    end = _minutes(contact.quiet[1])
    now = local.hour * 60 + local.minute
    inside = (start <= now < end) if start <= end else (now >= start or now < end)
    if not inside:
        return at_ms
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    wake = midnight + timedelta(minutes=end)
    if wake <= local:
        wake += timedelta(days=1)
    return int(wake.timestamp() * 1000)


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)
