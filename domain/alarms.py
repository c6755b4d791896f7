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


# ---- lifecycle (issue 6): outcomes, allowed transitions, incidents ----------------------


class Outcome(StrEnum):
    FALSE_ALARM = "false_alarm"
    HELPED_AT_HOME = "helped_at_home"
    VISIT = "visit"
    AMBULANCE = "ambulance"
    HOSPITAL = "hospital"
    DECEASED = "deceased"
    OTHER = "other"


SEVERITY_OF_TYPE: dict[str, Severity] = {
    "sos": Severity.CRITICAL,
    "fall": Severity.CRITICAL,
    "long_lie": Severity.CRITICAL,
    "smoke": Severity.CRITICAL,
    "inactivity": Severity.MAJOR,
    "wandering": Severity.MAJOR,
    "door_night": Severity.MAJOR,
    "wellness": Severity.MINOR,
    "routine": Severity.MINOR,
    "device_offline": Severity.TECHNICAL,
    "battery_low": Severity.TECHNICAL,
}

# from -> states it may move to; a drop (accepted/in_progress -> notified) restarts escalation
TRANSITIONS: dict[AlarmState, frozenset[AlarmState]] = {
    AlarmState.RAISED: frozenset(
        {AlarmState.NOTIFIED, AlarmState.ACCEPTED, AlarmState.RESOLVED, AlarmState.CANCELLED}
    ),
    AlarmState.NOTIFIED: frozenset(
        {AlarmState.ACCEPTED, AlarmState.RESOLVED, AlarmState.CANCELLED}
    ),
    AlarmState.ACCEPTED: frozenset(
        {AlarmState.IN_PROGRESS, AlarmState.NOTIFIED, AlarmState.RESOLVED, AlarmState.CANCELLED}
    ),
    AlarmState.IN_PROGRESS: frozenset(
        {AlarmState.NOTIFIED, AlarmState.RESOLVED, AlarmState.CANCELLED}
    ),
    AlarmState.RESOLVED: frozenset(),
    AlarmState.CANCELLED: frozenset(),
}
TAKEN_STATES = frozenset({AlarmState.ACCEPTED, AlarmState.IN_PROGRESS})


class LifecycleError(ValueError):
    """The change does not fit the alarm's state."""


def transition(alarm: Alarm, state: AlarmState, actor: str, at_ms: int, note: str = "") -> None:
    """Move the alarm to `state`, keeping actor and time in its history."""
    if state not in TRANSITIONS[alarm.state]:
        raise LifecycleError(f"alarm {alarm.alarm_id}: {alarm.state.value} -> {state.value}")
    if state is AlarmState.CANCELLED and actor != "resident" and not actor.startswith("resident"):
        raise LifecycleError("only the resident cancels an alarm; others resolve it")
    alarm.state = state
    alarm.updated_ms = at_ms
    alarm.history.append(Change(at_ms, state, actor, note))


def resolve_note(outcome: Outcome, note: str = "") -> str:
    return f"{outcome.value}: {note}" if note else outcome.value


def outcome_of(alarm: Alarm) -> Outcome | None:
    """The outcome code a resolved alarm was closed with."""
    for change in reversed(alarm.history):
        if change.state is AlarmState.RESOLVED:
            code = change.note.split(":", 1)[0].strip()
            return Outcome(code) if code in Outcome.__members__.values() else Outcome.OTHER
    return None


def first_change(alarm: Alarm, state: AlarmState) -> Change | None:
    for change in alarm.history:
        if change.state is state:
            return change
    return None


def accepted_by(alarm: Alarm) -> str | None:
    """Who holds the alarm now (the last acceptance, unless dropped since)."""
    if alarm.state not in TAKEN_STATES:
        return None
    for change in reversed(alarm.history):
        if change.state is AlarmState.ACCEPTED:
            return change.actor
    return None


# A fall and then inactivity in the same home belong to one incident.
RELATED_TYPES: frozenset[frozenset[str]] = frozenset(
    {
        frozenset({"fall", "inactivity"}),
        frozenset({"fall", "long_lie"}),
        frozenset({"sos", "fall"}),
        frozenset({"sos", "inactivity"}),
    }
)
INCIDENT_WINDOW_MS = 2 * 3600 * 1000


def related(first: Alarm, second: Alarm) -> bool:
    """Two alarms of the same home that tell one story (e.g. a fall, then no movement)."""
    if first.home_id != second.home_id or first.alarm_id == second.alarm_id:
        return False
    if first.category is Category.TECHNICAL or second.category is Category.TECHNICAL:
        return False
    if abs(second.raised_ms - first.raised_ms) > INCIDENT_WINDOW_MS:
        return False
    return frozenset({first.type, second.type}) in RELATED_TYPES or first.type == second.type
