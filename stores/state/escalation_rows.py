"""Rows of the escalation store: escalations, timers, outbox deliveries (plain data)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import sqlalchemy as sa


@dataclass(slots=True)
class EscalationRow:
    alarm_id: str
    home_id: str
    community_id: str
    severity: str
    policy: dict[str, Any]
    generation: int
    started_ms: int
    active: bool
    incident_id: str
    stop_reason: str = ""
    alarm_type: str = ""
    raised_ms: int = 0


@dataclass(frozen=True, slots=True, order=True)
class TimerRow:
    due_ms: int
    alarm_id: str
    generation: int
    stage: int
    round: int


@dataclass(slots=True)
class DeliveryRow:
    key: str
    alarm_id: str
    generation: int
    stage: int
    round: int
    contact_id: str
    role: str
    channel: str
    address: str
    message: dict[str, Any]
    status: str = "pending"
    attempts: int = 0
    next_ms: int = 0
    created_ms: int = 0
    sent_ms: int | None = None
    error: str = ""


@dataclass(frozen=True, slots=True)
class Firing:
    """A due timer and what firing it queues (messages, the next re-notify round)."""

    timer: TimerRow
    deliveries: Sequence[DeliveryRow]
    next_timer: TimerRow | None = None


def _columns(row: EscalationRow | TimerRow | DeliveryRow) -> dict[str, Any]:
    """A row's fields are its table's columns, by the same names."""
    return {f.name: getattr(row, f.name) for f in fields(row)}


def esc_dict(e: EscalationRow) -> dict[str, Any]:
    return _columns(e)


def esc_row(r: sa.Row[Any]) -> EscalationRow:
    return EscalationRow(
        r.alarm_id,
        r.home_id,
        r.community_id,
        r.severity,
        dict(r.policy),
        int(r.generation),
        int(r.started_ms),
        bool(r.active),
        r.incident_id,
        r.stop_reason,
        r.alarm_type,
        int(r.raised_ms),
    )


def timer_dict(t: TimerRow) -> dict[str, Any]:
    return {**_columns(t), "status": "pending", "fired_ms": None}


def timer_row(r: sa.Row[Any]) -> TimerRow:
    return TimerRow(int(r.due_ms), r.alarm_id, int(r.generation), int(r.stage), int(r.round))


def delivery_dict(d: DeliveryRow) -> dict[str, Any]:
    return _columns(d)


def delivery_row(r: sa.Row[Any]) -> DeliveryRow:
    m = r._mapping
    return DeliveryRow(
        key=m["key"],
        alarm_id=m["alarm_id"],
        generation=int(m["generation"]),
        stage=int(m["stage"]),
        round=int(m["round"]),
        contact_id=m["contact_id"],
        role=m["role"],
        channel=m["channel"],
        address=m["address"],
        message=dict(m["message"]),
        status=m["status"],
        attempts=int(m["attempts"]),
        next_ms=int(m["next_ms"]),
        created_ms=int(m["created_ms"]),
        sent_ms=None if m["sent_ms"] is None else int(m["sent_ms"]),
        error=m["error"],
    )
