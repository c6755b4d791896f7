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
    """The newest `limit` alarms, read in pages of at most 200 (`next` followed)."""
    import httpx

    found: list[dict[str, Any]] = []
    cursor: str | None = None
    while len(found) < limit:
        params: dict[str, Any] = {"limit": min(200, limit - len(found))}
        if cursor is not None:
            params["cursor"] = cursor
        r = httpx.get(f"{base.rstrip('/')}/api/alarms", params=params)
        r.raise_for_status()
        doc: dict[str, Any] = r.json()
        found.extend(doc["alarms"])
        cursor = doc["next"]
        if cursor is None:
            break
    return [
        AlarmView(
            str(a["id"]),
            str(a["home_id"]),
            str(a["type"]),
            int(a["raised_ms"]),
            int(a["updated_ms"]),
            a.get("severity") == Severity.TECHNICAL.value,
        )
        for a in found
    ]
