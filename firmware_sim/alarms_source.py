"""Where `anju sim score` reads Anju's alarms: the state store, or the web API."""

from __future__ import annotations

from typing import Any

from domain.alarms import Severity
from firmware_sim.score import AlarmView


def from_state(url: str, limit: int = 1_000_000) -> list[AlarmView]:
    from stores.state.sql import SqlStateStore

    store = SqlStateStore(url)
    try:
        return [
            AlarmView(
                a.alarm_id,
                a.home_id,
                a.type,
                a.raised_ms,
                a.updated_ms,
                a.severity is Severity.TECHNICAL,
            )
            for a in store.list_alarms(limit=limit)
        ]
    finally:
        store.close()


def from_api(base: str, limit: int = 1000) -> list[AlarmView]:
    import httpx

    doc: dict[str, Any] = httpx.get(
        f"{base.rstrip('/')}/api/alarms", params={"limit": limit}
    ).json()
    return [
        AlarmView(
            str(a["id"]),
            str(a["home_id"]),
            str(a["type"]),
            int(a["raised_ms"]),
            int(a["updated_ms"]),
            a.get("severity") == Severity.TECHNICAL.value,
        )
        for a in doc["alarms"]
    ]
