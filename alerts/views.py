"""How an alarm looks to the outside (API, live feed): plain JSON-ready dicts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.alarms import Alarm, Severity
from domain.model import Home, Resident

SEVERITY_RANK: dict[Severity, int] = {
    Severity.CRITICAL: 0,
    Severity.MAJOR: 1,
    Severity.MINOR: 2,
    Severity.TECHNICAL: 3,
}


@dataclass(frozen=True, slots=True)
class HomeInfo:
    """What the board shows about where an alarm comes from."""

    address: str
    community_id: str
    residents: tuple[str, ...]
    lat: float | None = None
    lon: float | None = None

    @classmethod
    def of(cls, home: Home | None, residents: list[Resident]) -> HomeInfo | None:
        if home is None:
            return None
        names = tuple(r.name for r in residents)
        return cls(home.address, home.community_id, names, home.lat, home.lon)


def alarm_view(alarm: Alarm, home: HomeInfo | None = None) -> dict[str, Any]:
    return {
        "id": alarm.alarm_id,
        "home_id": alarm.home_id,
        "type": alarm.type,
        "severity": alarm.severity.value,
        "category": alarm.category.value,
        "state": alarm.state.value,
        "open": alarm.is_open,
        "raised_ms": alarm.raised_ms,
        "updated_ms": alarm.updated_ms,
        "device_id": alarm.device_id,
        "count": alarm.count,
        "evidence": dict(alarm.evidence),
        "history": [
            {"at_ms": c.at_ms, "state": c.state.value, "actor": c.actor, "note": c.note}
            for c in alarm.history
        ],
        "home": None
        if home is None
        else {
            "address": home.address,
            "community_id": home.community_id,
            "residents": list(home.residents),
            "lat": home.lat,
            "lon": home.lon,
        },
    }


def board_order(alarm: Alarm) -> tuple[int, int, int]:
    """Open before closed, then by severity, then newest first."""
    return (0 if alarm.is_open else 1, SEVERITY_RANK[alarm.severity], -alarm.raised_ms)
