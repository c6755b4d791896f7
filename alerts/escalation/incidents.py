"""Incidents: alarms of one home that belong together (a fall, then inactivity) climb as one."""

from __future__ import annotations

from collections.abc import Iterable

from domain.alarms import Alarm, AlarmState, Severity, related
from stores.state.escalation import EscalationRow, EscalationStore


def incident_for(alarm: Alarm, escalating: Iterable[EscalationRow]) -> str:
    """The incident of the first related escalation in the same home, else a new one."""
    for esc in escalating:
        other = Alarm(
            esc.alarm_id,
            esc.home_id,
            esc.alarm_type,
            Severity(esc.severity),
            AlarmState.RAISED,
            esc.raised_ms,
            esc.raised_ms,
        )
        if related(other, alarm):
            return esc.incident_id
    return alarm.alarm_id


def incident_of(store: EscalationStore, alarm_id: str) -> list[str]:
    """The alarms linked with this one, oldest first."""
    esc = store.get(alarm_id)
    if esc is None:
        return [alarm_id]
    rows = [e for e in store.escalations(home_id=esc.home_id) if e.incident_id == esc.incident_id]
    return [e.alarm_id for e in sorted(rows, key=lambda e: e.started_ms)]
