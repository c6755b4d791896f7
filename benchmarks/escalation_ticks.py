"""Escalation timer ticks: the engine with 10,000 open alarms (1,000 homes x 10 types) on a
SQLite store, escalating on a clock moved by hand. Idle ticks (nothing due) and busy ticks (the
stages that come due in each second of a 600 s window) are timed; the baseline is the same
workload with 100 open alarms, in the same run."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from alerts.escalation.contacts import Contact
from alerts.escalation.engine import EscalationEngine
from alerts.escalation.policy import Role
from benchmarks.latency import percentile
from domain.alarms import Alarm, AlarmState, Change, Severity
from domain.clock import ManualClock
from domain.model import Home, Resident
from stores.state.escalation import EscalationStore
from stores.state.sql import SqlStateStore
from stores.state.tables import build_metadata

TYPES = (
    "sos",
    "fall",
    "long_lie",
    "smoke",
    "inactivity",
    "wandering",
    "door_night",
    "wellness",
    "routine",
    "battery_low",
)
WINDOW_S = 600


def _engine(
    work: Path, open_alarms: int, clock: ManualClock
) -> tuple[EscalationEngine, SqlStateStore, float]:
    state = SqlStateStore(f"sqlite:///{work / f'ticks-{open_alarms}.db'}")
    esc = EscalationStore(state.engine)
    engine = EscalationEngine(esc, state, clock)
    homes = max(1, open_alarms // len(TYPES))
    t0 = int(clock.now() * 1000)
    started = time.perf_counter()
    fast = _no_fsync(state)  # setup only: the ticks run with the store's own durability
    for role in (Role.CALL_CENTRE, Role.SUPERVISOR, Role.EMERGENCY):
        c = Contact(
            role.value, role.value, role, "bench", addresses={"webhook": "http://127.0.0.1:9/"}
        )
        esc.save_contact(c.contact_id, c.scope, c.to_json())
    for h in range(homes):
        home_id = f"t{h:05d}"
        state.upsert_home(Home(home_id, "bench", address=f"home {h}"))
        state.upsert_resident(Resident(f"{home_id}-r", home_id, "住户"))
        fam = Contact(
            f"{home_id}-f",
            "家属",
            Role.FAMILY,
            home_id,
            addresses={"webhook": "http://127.0.0.1:9/"},
        )
        esc.save_contact(fam.contact_id, fam.scope, fam.to_json())
    alarms = []
    for i in range(open_alarms):
        home_id = f"t{i % homes:05d}"
        type_ = TYPES[(i // homes) % len(TYPES)]
        raised = t0 + int(i * WINDOW_S * 1000 / open_alarms)  # spread over the window
        sev = Severity.CRITICAL if type_ in ("sos", "fall", "long_lie", "smoke") else Severity.MAJOR
        alarms.append(Alarm(f"a{i:06d}", home_id, type_, sev, AlarmState.RAISED, raised, raised,
                            history=[Change(raised, AlarmState.RAISED, "system")]))  # fmt: skip
    _save_alarms(state, alarms)
    engine.start_many(alarms)
    sa.event.remove(state.engine, "connect", fast)
    state.engine.dispose()
    return engine, state, time.perf_counter() - started


def _save_alarms(state: SqlStateStore, alarms: list[Alarm]) -> None:
    """The alarms in one transaction, in the state store's own tables (setup only)."""
    tables = build_metadata(state.schema).tables
    alarm_rows: list[dict[str, Any]] = [
        {"alarm_id": a.alarm_id, "home_id": a.home_id, "type": a.type,
         "severity": a.severity.value, "state": a.state.value, "raised_ms": a.raised_ms,
         "updated_ms": a.updated_ms, "device_id": None, "count": 1, "evidence": {}}
        for a in alarms
    ]  # fmt: skip
    history: list[dict[str, Any]] = [
        {"alarm_id": a.alarm_id, "pos": 0, "at_ms": a.raised_ms, "state": "raised",
         "actor": "system", "note": ""}
        for a in alarms
    ]  # fmt: skip
    with state.engine.begin() as conn:
        conn.execute(sa.insert(tables["alarms"]), alarm_rows)
        conn.execute(sa.insert(tables["alarm_history"]), history)


def _no_fsync(state: SqlStateStore) -> Callable[[Any, Any], None]:
    def pragma(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()

    sa.event.listen(state.engine, "connect", pragma)
    state.engine.dispose()
    return pragma


def ticks(open_alarms: int, idle_ticks: int = 2000, busy_s: int = 120) -> dict[str, Any]:
    clock = ManualClock(1_767_225_600.0 - WINDOW_S - 1)
    with tempfile.TemporaryDirectory(prefix="anju-bench-ticks-") as tmp:
        engine, state, setup_s = _engine(Path(tmp), open_alarms, clock)
        engine.tick()
        idle = []
        for _ in range(idle_ticks):  # nothing due: the clock stands before every timer
            t = time.perf_counter()
            engine.tick()
            idle.append((time.perf_counter() - t) * 1e6)
        clock.set(1_767_225_600.0 - WINDOW_S)
        busy, fired = [], 0
        for _ in range(busy_s):  # one tick per second of clock while stages come due
            clock.advance(1.0)
            t = time.perf_counter()
            fired += engine.tick()
            busy.append((time.perf_counter() - t) * 1000)
        state.close()
    per_timer = sum(busy) / max(fired, 1)
    return {
        "open_alarms": open_alarms,
        "setup_s": round(setup_s, 1),
        "idle_tick_median_us": round(statistics.median(idle), 2),
        "idle_tick_p99_us": round(percentile(idle, 99), 2),
        "busy_ticks": busy_s,
        "timers_fired": fired,
        "busy_tick_median_ms": round(statistics.median(busy), 2),
        "busy_tick_p99_ms": round(percentile(busy, 99), 2),
        "ms_per_fired_timer": round(per_timer, 3),
    }
