"""The board's rows: resident records, check-ins, call log, dispatches, presence (away, activity).

Shares the state store's engine (`SqlStateStore.engine`, `.schema`); creates its tables when
missing (`board_tables.create_board_tables`). Every call is one transaction.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from domain.calls import Callee, CallEntry, CallResult, Dispatch, Location, LocationSource
from domain.checkins import Checkin, CheckinKind, CheckinResult
from domain.record import FamilyMember, Household, ResidentRecord, SelfCare
from stores.state.board_tables import build_board_metadata, create_board_tables
from stores.state.sqlkit import transaction


class RecordConflictError(Exception):
    """The record changed since the edit began."""

    def __init__(self, resident_id: str, updated_ms: int, updated_by: str) -> None:
        super().__init__(
            f"the record of {resident_id} changed since (at {updated_ms} by {updated_by})"
        )
        self.updated_ms, self.updated_by = updated_ms, updated_by


class BoardStore:
    def __init__(self, engine: Engine, *, schema: str | None = None) -> None:
        self.engine = engine
        self.schema = schema
        self.md = build_board_metadata(schema)
        create_board_tables(self.md, engine, schema)
        p = f"{schema}." if schema else ""
        self.t = {name.removeprefix(p): table for name, table in self.md.tables.items()}

    def tx(self, op: str) -> AbstractContextManager[Connection]:
        return transaction(self.engine, op)

    # resident records ----------------------------------------------------------------------
    def save_record(self, record: ResidentRecord, *, based_on_ms: int | None = None) -> None:
        """Replace the record. `based_on_ms`: the `updated_ms` of the record the edit started
        from (0: none was stored); if another write came in between, RecordConflictError and
        nothing is written (two operators editing at once: the second does not silently undo
        the first)."""
        t = self.t["resident_records"]
        row = {
            "resident_id": record.resident_id,
            "body": record_json(record),
            "updated_ms": record.updated_ms,
            "updated_by": record.updated_by,
        }
        mine = t.c.resident_id == record.resident_id
        with self.tx("board_save_record") as conn:
            if based_on_ms is None:
                conn.execute(sa.delete(t).where(mine))
            elif not conn.execute(sa.delete(t).where(mine, t.c.updated_ms == based_on_ms)).rowcount:
                now = conn.execute(sa.select(t.c.updated_ms, t.c.updated_by).where(mine)).first()
                if now is not None or based_on_ms != 0:  # changed, or removed, since
                    raise RecordConflictError(
                        record.resident_id,
                        now.updated_ms if now else 0,
                        now.updated_by if now else "",
                    )
            conn.execute(sa.insert(t), [row])

    def get_record(self, resident_id: str) -> ResidentRecord | None:
        t = self.t["resident_records"]
        with self.tx("board_get_record") as conn:
            row = conn.execute(sa.select(t).where(t.c.resident_id == resident_id)).first()
        if row is None:
            return None
        return record_from(resident_id, row.body, row.updated_ms, row.updated_by)

    # check-ins -----------------------------------------------------------------------------
    def add_checkin(self, c: Checkin) -> None:
        row = {
            "checkin_id": c.checkin_id,
            "resident_id": c.resident_id,
            "home_id": c.home_id,
            "community_id": c.community_id,
            "kind": c.kind.value,
            "result": c.result.value,
            "counts": c.counts,
            "at_ms": c.at_ms,
            "month": c.month,
            "actor": c.actor,
            "note": c.note,
        }
        with self.tx("board_add_checkin") as conn:
            conn.execute(sa.insert(self.t["checkins"]), [row])

    def checkins_of(self, resident_id: str, *, limit: int = 24) -> list[Checkin]:
        t = self.t["checkins"]
        query = (
            sa.select(t)
            .where(t.c.resident_id == resident_id)
            .order_by(t.c.at_ms.desc())
            .limit(limit)
        )
        with self.tx("board_checkins_of") as conn:
            return [_checkin(r) for r in conn.execute(query)]

    # call log and dispatches ---------------------------------------------------------------
    def add_call(self, e: CallEntry) -> None:
        row = {
            "entry_id": e.entry_id,
            "alarm_id": e.alarm_id,
            "home_id": e.home_id,
            "at_ms": e.at_ms,
            "caller": e.caller,
            "callee": e.callee.value,
            "callee_name": e.callee_name,
            "number": e.number,
            "result": e.result.value,
            "note": e.note,
        }
        with self.tx("board_add_call") as conn:
            conn.execute(sa.insert(self.t["call_log"]), [row])

    def calls(self, alarm_id: str) -> list[CallEntry]:
        t = self.t["call_log"]
        query = sa.select(t).where(t.c.alarm_id == alarm_id).order_by(t.c.at_ms, t.c.entry_id)
        with self.tx("board_calls") as conn:
            return [
                CallEntry(
                    r.entry_id, r.alarm_id, r.home_id, r.at_ms, r.caller, Callee(r.callee),
                    r.callee_name, r.number, CallResult(r.result), r.note,
                )
                for r in conn.execute(query)
            ]  # fmt: skip

    def add_dispatch(self, d: Dispatch) -> None:
        loc = d.location
        row = {
            "dispatch_id": d.dispatch_id,
            "alarm_id": d.alarm_id,
            "home_id": d.home_id,
            "at_ms": d.at_ms,
            "actor": d.actor,
            "service": d.service,
            "source": loc.source.value,
            "address": loc.address,
            "lat": loc.lat,
            "lon": loc.lon,
            "fix_ms": loc.at_ms,
            "note": d.note,
        }
        with self.tx("board_add_dispatch") as conn:
            conn.execute(sa.insert(self.t["dispatches"]), [row])

    def dispatches(self, alarm_id: str) -> list[Dispatch]:
        t = self.t["dispatches"]
        query = sa.select(t).where(t.c.alarm_id == alarm_id).order_by(t.c.at_ms)
        with self.tx("board_dispatches") as conn:
            return [
                Dispatch(
                    r.dispatch_id, r.alarm_id, r.home_id, r.at_ms, r.actor, r.service,
                    Location(LocationSource(r.source), r.address, r.lat, r.lon, r.fix_ms), r.note,
                )
                for r in conn.execute(query)
            ]  # fmt: skip

    # presence: last sign of life, away ------------------------------------------------------
    def presence(self, home_id: str) -> tuple[int | None, int | None, str]:
        """(last_activity_ms, away_until_ms, away_note) of a home."""
        t = self.t["home_presence"]
        with self.tx("board_presence") as conn:
            row = conn.execute(sa.select(t).where(t.c.home_id == home_id)).first()
        if row is None:
            return None, None, ""
        return row.last_activity_ms, row.away_until_ms, row.away_note

    def set_away(self, home_id: str, until_ms: int | None, note: str, now_ms: int) -> None:
        self._presence(home_id, now_ms, {"away_until_ms": until_ms, "away_note": note})

    def note_activity(self, home_id: str, ts_ms: int) -> None:
        """Keep the newest sign of life (older timestamps arriving late change nothing)."""
        last, _, _ = self.presence(home_id)
        if last is None or ts_ms > last:
            self._presence(home_id, ts_ms, {"last_activity_ms": ts_ms})

    def note_activity_many(self, latest: dict[str, int], now_ms: int) -> None:
        """`note_activity` for many homes in one transaction."""
        t = self.t["home_presence"]
        with self.tx("board_note_activity") as conn:
            for home_id, ts in sorted(latest.items()):
                done = conn.execute(
                    sa.update(t)
                    .where(t.c.home_id == home_id)
                    .values(
                        last_activity_ms=sa.case(
                            (t.c.last_activity_ms.is_(None), ts),
                            (t.c.last_activity_ms < ts, ts),
                            else_=t.c.last_activity_ms,
                        ),
                        updated_ms=now_ms,
                    )
                ).rowcount
                if not done:
                    row = {"home_id": home_id, "last_activity_ms": ts, "away_note": ""}
                    conn.execute(sa.insert(t), [row | {"updated_ms": now_ms}])

    def _presence(self, home_id: str, now_ms: int, values: dict[str, Any]) -> None:
        t = self.t["home_presence"]
        with self.tx("board_set_presence") as conn:
            done = conn.execute(
                sa.update(t).where(t.c.home_id == home_id).values(updated_ms=now_ms, **values)
            ).rowcount
            if not done:
                row = {"home_id": home_id, "updated_ms": now_ms, "away_note": ""} | values
                conn.execute(sa.insert(t), [row])


def record_json(r: ResidentRecord) -> dict[str, Any]:
    return {
        "household": r.household.value,
        "registration": r.registration,
        "family": [
            {
                "name": f.name,
                "relation": f.relation,
                "phone": f.phone,
                "lives_nearby": f.lives_nearby,
            }
            for f in r.family
        ],
        "conditions": list(r.conditions),
        "self_care": r.self_care.value,
        "medication": list(r.medication),
        "language": r.language,
        "benefits": list(r.benefits),
        "extra": dict(r.extra),
    }


def record_from(
    resident_id: str, body: dict[str, Any], updated_ms: int, updated_by: str
) -> ResidentRecord:
    return ResidentRecord(
        resident_id=resident_id,
        household=Household(body.get("household", "other")),
        registration=str(body.get("registration", "")),
        family=tuple(
            FamilyMember(
                str(f["name"]),
                str(f["relation"]),
                str(f.get("phone", "")),
                bool(f.get("lives_nearby", False)),
            )
            for f in body.get("family", [])
        ),
        conditions=tuple(str(x) for x in body.get("conditions", [])),
        self_care=SelfCare(body.get("self_care", "unknown")),
        medication=tuple(str(x) for x in body.get("medication", [])),
        language=str(body.get("language", "zh-CN")),
        benefits=tuple(str(x) for x in body.get("benefits", [])),
        updated_ms=updated_ms,
        updated_by=updated_by,
        extra={str(k): str(v) for k, v in body.get("extra", {}).items()},
    )


def _checkin(r: Any) -> Checkin:
    return Checkin(
        r.checkin_id, r.resident_id, r.home_id, r.community_id, CheckinKind(r.kind), r.at_ms,
        r.actor, CheckinResult(r.result), r.note, r.month,
    )  # fmt: skip
