"""What the board's routes share: the board's stores (made once per app, beside the state store),
the time-series store, contacts in escalation order, device health and the pendant's last fix.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from alerts.escalation.contacts import Contact
from alerts.escalation.policy import PolicyBook, Role, risks_of
from domain.access import HomeScope, Principal, home_scope, sees_personal_data
from domain.alarms import Severity
from domain.model import Device, DeviceKind, Home, Resident
from domain.ports import StateStore, TimeSeriesStore
from stores.state.escalation import EscalationStore
from stores.state.homes_query import HomesQuery
from stores.state.records import BoardStore
from web.deps import context

HEALTH_WINDOW_MS = 26 * 3600 * 1000  # battery devices report at least every 25 h
FIX_WINDOW_MS = 6 * 3600 * 1000  # a pendant fix older than this is not "where she is now"
_lock = threading.Lock()


@dataclass(frozen=True)
class BoardParts:
    state: StateStore
    board: BoardStore
    homes: HomesQuery
    escalation: EscalationStore
    timeseries: TimeSeriesStore | None


def board_parts(request: Request) -> BoardParts:
    """Made on first use and kept on the app (needs the SQL state store)."""
    parts: BoardParts | None = getattr(request.app.state, "board_parts", None)
    if parts is not None:
        return parts
    with _lock:
        parts = getattr(request.app.state, "board_parts", None)
        if parts is None:
            parts = _make(request)
            request.app.state.board_parts = parts
    return parts


def _make(request: Request) -> BoardParts:
    ctx = context(request)
    engine = getattr(ctx.state_store, "engine", None)
    if engine is None:
        raise HTTPException(503, "the board needs the SQL state store")
    schema = getattr(ctx.state_store, "schema", None)
    board = BoardStore(engine, schema=schema)
    esc = getattr(request.app.state, "escalation", None)
    esc_store = esc.store if esc is not None else EscalationStore(engine, schema=schema)
    ts: TimeSeriesStore | None = getattr(request.app.state, "timeseries", None)
    return BoardParts(ctx.state_store, board, HomesQuery(board), esc_store, ts)


Parts = Annotated[BoardParts, Depends(board_parts)]


def scope_of(principal: Principal) -> HomeScope:
    """The homes the caller may see; integrators see no personal data at all (403)."""
    if not sees_personal_data(principal):
        raise HTTPException(403, "integrators see devices, not homes or residents")
    return home_scope(principal)


def visible_home(parts: BoardParts, principal: Principal, home_id: str) -> Home:
    """The home, or 404 — also when it exists but is outside the caller's scope (no probing)."""
    home = parts.state.get_home(home_id)
    if home is None or not scope_of(principal).allows(home.home_id, home.community_id):
        raise HTTPException(404, f"no home {home_id}")
    return home


def need_timeseries(parts: BoardParts) -> TimeSeriesStore:
    if parts.timeseries is None:
        raise HTTPException(503, "no time-series store is attached to this web app")
    return parts.timeseries


ROLE_ORDER = (Role.FAMILY, Role.CALL_CENTRE, Role.SUPERVISOR, Role.EMERGENCY, Role.OPERATOR)


def contacts_in_order(
    parts: BoardParts, home: Home, residents: list[Resident], now_s: float
) -> list[dict[str, Any]]:
    """The escalation engine's contacts of this home and its community, in the order a critical
    alarm reaches them (the community's policy, with the residents' risk overrides)."""
    raw = parts.escalation.load_policies(home.community_id)
    book = PolicyBook.from_json(raw) if raw else PolicyBook(home.community_id)
    policy = book.choose(Severity.CRITICAL, risks_of(residents, now_s))
    order: list[Role] = []
    stage_of: dict[Role, tuple[str, float]] = {}
    for stage in policy.stages:
        for role in stage.roles:
            if role not in stage_of:
                order.append(role)
                stage_of[role] = (stage.name, stage.after_s)
    order += [r for r in ROLE_ORDER if r not in order]
    contacts = [
        Contact.from_json(c) for c in parts.escalation.contacts([home.home_id, home.community_id])
    ]
    contacts.sort(key=lambda c: (order.index(c.role), c.contact_id))
    return [
        {
            "contact_id": c.contact_id,
            "name": c.name,
            "role": c.role.value,
            "stage": stage_of.get(c.role, ("", None))[0],
            "after_s": stage_of.get(c.role, ("", None))[1],
            "language": c.language,
            "addresses": dict(c.addresses),
        }
        for c in contacts
    ]


def device_health(
    ts: TimeSeriesStore | None, home_id: str, devices: list[Device], now_ms: int
) -> tuple[dict[str, tuple[int | None, float | None]], tuple[float, float, int] | None]:
    """(device_id -> (last seen, last battery %)) over the last 26 h, and the pendant's newest
    position fix of the last 6 h (lat, lon, ts)."""
    seen: dict[str, tuple[int | None, float | None]] = {d.device_id: (None, None) for d in devices}
    fix: tuple[float, float, int] | None = None
    if ts is None:
        return seen, fix
    pendants = {d.device_id for d in devices if d.kind is DeviceKind.PENDANT}
    for p in ts.query(home_id, now_ms - HEALTH_WINDOW_MS, now_ms + 60_000):
        last, battery = seen.get(p.device_id, (None, None))
        value = p.fields.get("battery")
        if isinstance(value, int | float) and not isinstance(value, bool):
            battery = float(value)
        seen[p.device_id] = (p.ts_ms if last is None else max(last, p.ts_ms), battery)
        lat, lon = p.fields.get("lat"), p.fields.get("lon")
        if (
            p.device_id in pendants
            and isinstance(lat, float | int)
            and isinstance(lon, float | int)
            and p.ts_ms >= now_ms - FIX_WINDOW_MS
        ):
            fix = (float(lat), float(lon), p.ts_ms)
    return seen, fix
