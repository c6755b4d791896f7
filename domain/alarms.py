"""Alarms: what a detector raises and what people take charge of (lifecycle without I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    CRITICAL = "critical"  # SOS, fall
    MAJOR = "major"  # inactivity, wandering
    MINOR = "minor"  # wellness notice
    TECHNICAL = "technical"  # device faults: operators only


class Category(StrEnum):
    CARE = "care"
    TECHNICAL = "technical"


class AlarmState(StrEnum):
    RAISED = "raised"
    NOTIFIED = "notified"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"


OPEN_STATES = frozenset(
    {AlarmState.RAISED, AlarmState.NOTIFIED, AlarmState.ACCEPTED, AlarmState.IN_PROGRESS}
)


@dataclass(frozen=True, slots=True)
class Detection:
    """What a detector noticed; alerts turns it into a new alarm or an update of an open one."""

    home_id: str
    type: str  # sos, fall, inactivity, device_offline, ...
    severity: Severity
    ts_ms: int  # when it happened (device time of the evidence)
    device_id: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def category(self) -> Category:
        return Category.TECHNICAL if self.severity is Severity.TECHNICAL else Category.CARE


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of an alarm's audit trail."""

    at_ms: int
    state: AlarmState
    actor: str  # "system", "resident", "user:<id>"
    note: str = ""


@dataclass(slots=True)
class Alarm:
    alarm_id: str
    home_id: str
    type: str
    severity: Severity
    state: AlarmState
    raised_ms: int
    updated_ms: int
    device_id: str | None = None
    count: int = 1
    evidence: dict[str, Any] = field(default_factory=dict)
    history: list[Change] = field(default_factory=list)

    @property
    def category(self) -> Category:
        return Category.TECHNICAL if self.severity is Severity.TECHNICAL else Category.CARE

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


def open_alarm(alarm_id: str, detection: Detection, now_ms: int) -> Alarm:
    return Alarm(
        alarm_id=alarm_id,
        home_id=detection.home_id,
        type=detection.type,
        severity=detection.severity,
        state=AlarmState.RAISED,
        raised_ms=now_ms,
        updated_ms=now_ms,
        device_id=detection.device_id,
        evidence=dict(detection.evidence),
        history=[Change(now_ms, AlarmState.RAISED, "system", detection.type)],
    )


def repeat(alarm: Alarm, detection: Detection, now_ms: int) -> None:
    """One active alarm per home and type: a repeat updates it instead of opening another."""
    alarm.count += 1
    alarm.updated_ms = now_ms
    alarm.evidence = dict(detection.evidence)
