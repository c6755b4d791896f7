"""The escalation engine's durable state, beside the state store (same database).

Escalations, their timers and the outbox are rows; firing a timer and queueing its messages is
one transaction, so after a crash a stage has either fired with all its messages queued, or not
at all. Outbox rows are keyed by an idempotency key: queueing twice keeps one row.
Policies and contacts are JSON bodies; `alerts.escalation` gives them their types.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from stores.state.escalation_rows import (
    DeliveryRow,
    EscalationRow,
    Firing,
    TimerRow,
    delivery_dict,
    delivery_row,
    esc_dict,
    esc_row,
    timer_dict,
    timer_row,
)
from stores.state.escalation_tables import build_escalation_metadata
from stores.state.sqlkit import insert_missing, transaction

__all__ = ["DeliveryRow", "EscalationRow", "EscalationStore", "Firing", "TimerRow"]


class EscalationStore:
    def __init__(self, engine: Engine, *, schema: str | None = None) -> None:
        self.engine = engine
        self._md = build_escalation_metadata(schema)
        t = self._md.tables
        p = f"{schema}." if schema else ""
        self._policies = t[p + "esc_policies"]
        self._contacts = t[p + "esc_contacts"]
        self._esc = t[p + "esc_escalations"]
        self._timers = t[p + "esc_timers"]
        self._outbox = t[p + "esc_outbox"]
        self._md.create_all(engine)

    def _tx(self, op: str) -> AbstractContextManager[Connection]:
        return transaction(self.engine, op)

    def _put(self, conn: Connection, table: sa.Table, key: str, row: dict[str, Any]) -> None:
        conn.execute(sa.delete(table).where(table.c[key] == row[key]))
        conn.execute(sa.insert(table), [row])

    # policies and contacts ----------------------------------------------------------------
    def save_policies(self, community_id: str, body: Mapping[str, Any]) -> None:
        with self._tx("esc_save_policies") as conn:
            row = {"community_id": community_id, "body": dict(body)}
            self._put(conn, self._policies, "community_id", row)

    def load_policies(self, community_id: str) -> dict[str, Any] | None:
        p = self._policies
        with self._tx("esc_load_policies") as conn:
            body = conn.execute(sa.select(p.c.body).where(p.c.community_id == community_id))
            value = body.scalar()
        return None if value is None else dict(value)

    def save_contact(self, contact_id: str, scope: str, body: Mapping[str, Any]) -> None:
        with self._tx("esc_save_contact") as conn:
            row = {"contact_id": contact_id, "scope": scope, "body": dict(body)}
            self._put(conn, self._contacts, "contact_id", row)

    def contacts(self, scopes: Sequence[str]) -> list[dict[str, Any]]:
        c = self._contacts
        query = sa.select(c.c.body).where(c.c.scope.in_(list(scopes))).order_by(c.c.contact_id)
        with self._tx("esc_contacts") as conn:
            return [dict(b) for b in conn.execute(query).scalars()]

    # escalations and timers ---------------------------------------------------------------
    def start(self, esc: EscalationRow, timers: Sequence[TimerRow]) -> bool:
        """Record a new escalation with its timers; False when the alarm already has one."""
        with self._tx("esc_start") as conn:
            exists = conn.execute(
                sa.select(self._esc.c.alarm_id).where(self._esc.c.alarm_id == esc.alarm_id)
            ).first()
            if exists is not None:
                return False
            conn.execute(sa.insert(self._esc), [esc_dict(esc)])
            insert_missing(conn, self._timers, [timer_dict(t) for t in timers])
        return True

    def start_many(
        self,
        items: Sequence[tuple[EscalationRow, Sequence[TimerRow]]],
        firings: Sequence[Firing] = (),
        now_ms: int = 0,
    ) -> tuple[set[str], list[TimerRow]]:
        """`start` for many alarms in one transaction, firing the timers already due (stage 0)
        in the same one; returns the alarm ids that started and the timers that fired."""
        e = self._esc
        ids = [esc.alarm_id for esc, _ in items]
        started: set[str] = set()
        with self._tx("esc_start_many") as conn:
            known: set[str] = set()
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                known.update(
                    conn.execute(sa.select(e.c.alarm_id).where(e.c.alarm_id.in_(chunk))).scalars()
                )
            fresh = [(esc, timers) for esc, timers in items if esc.alarm_id not in known]
            if fresh:
                conn.execute(sa.insert(e), [esc_dict(esc) for esc, _ in fresh])
                rows = [timer_dict(t) for _, timers in fresh for t in timers]
                insert_missing(conn, self._timers, rows)
            started = {esc.alarm_id for esc, _ in fresh}
            now_due = [f for f in firings if f.timer.alarm_id in started]
            fired = self._fire(conn, now_due, now_ms) if now_due else []
        return started, fired

    def restart(
        self, alarm_id: str, generation: int, started_ms: int, timers: Sequence[TimerRow]
    ) -> None:
        e = self._esc
        with self._tx("esc_restart") as conn:
            conn.execute(
                sa.update(e)
                .where(e.c.alarm_id == alarm_id)
                .values(active=True, generation=generation, started_ms=started_ms, stop_reason="")
            )
            insert_missing(conn, self._timers, [timer_dict(t) for t in timers])

    def stop(self, alarm_id: str, reason: str, *, cancel_unsent: bool = True) -> int:
        """Stop climbing: cancel pending timers and (unless told not to) unsent messages."""
        e, t, o = self._esc, self._timers, self._outbox
        with self._tx("esc_stop") as conn:
            conn.execute(
                sa.update(e)
                .where(e.c.alarm_id == alarm_id)
                .values(active=False, stop_reason=reason)
            )
            cancelled = conn.execute(
                sa.update(t)
                .where(t.c.alarm_id == alarm_id, t.c.status == "pending")
                .values(status="cancelled")
            ).rowcount
            if cancel_unsent:
                conn.execute(
                    sa.update(o)
                    .where(o.c.alarm_id == alarm_id, o.c.status == "pending")
                    .values(status="cancelled", error=reason)
                )
        return int(cancelled)

    def get(self, alarm_id: str) -> EscalationRow | None:
        with self._tx("esc_get") as conn:
            row = conn.execute(sa.select(self._esc).where(self._esc.c.alarm_id == alarm_id)).first()
        return None if row is None else esc_row(row)

    def escalations(
        self, *, active_only: bool = False, home_id: str | None = None
    ) -> list[EscalationRow]:
        e = self._esc
        query = sa.select(e)
        if active_only:
            query = query.where(e.c.active.is_(True))
        if home_id is not None:
            query = query.where(e.c.home_id == home_id)
        with self._tx("esc_list") as conn:
            return [esc_row(r) for r in conn.execute(query)]

    def pending_timers(self) -> list[TimerRow]:
        t = self._timers
        query = sa.select(t).where(t.c.status == "pending")
        with self._tx("esc_pending_timers") as conn:
            return [timer_row(r) for r in conn.execute(query)]

    def timers(self, alarm_id: str) -> list[tuple[TimerRow, str, int | None]]:
        t = self._timers
        query = sa.select(t).where(t.c.alarm_id == alarm_id).order_by(t.c.due_ms)
        with self._tx("esc_timers") as conn:
            return [(timer_row(r), r.status, r.fired_ms) for r in conn.execute(query)]

    def fire(self, firings: Sequence[Firing], now_ms: int) -> list[TimerRow]:
        """Fire due timers in one transaction; returns those that fired (others were stale).

        A timer fires only if it is still pending and its escalation is active in the same
        generation; its messages and next round are written in the same transaction. One
        engine process owns the timers (its lock orders ticks and stops).
        """
        if not firings:
            return []
        with self._tx("esc_fire") as conn:
            return self._fire(conn, firings, now_ms)

    def _fire(self, conn: Connection, firings: Sequence[Firing], now_ms: int) -> list[TimerRow]:
        t, e = self._timers, self._esc
        ids = sorted({f.timer.alarm_id for f in firings})
        active: set[tuple[str, int]] = set()
        pending: set[tuple[str, int, int, int]] = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            active.update(
                (r.alarm_id, int(r.generation))
                for r in conn.execute(
                    sa.select(e.c.alarm_id, e.c.generation).where(
                        e.c.alarm_id.in_(chunk), e.c.active.is_(True)
                    )
                )
            )
            pending.update(
                (r.alarm_id, int(r.generation), int(r.stage), int(r.round))
                for r in conn.execute(
                    sa.select(t.c.alarm_id, t.c.generation, t.c.stage, t.c.round).where(
                        t.c.alarm_id.in_(chunk), t.c.status == "pending"
                    )
                )
            )
        updates: list[dict[str, Any]] = []
        fired: list[TimerRow] = []
        outbox: list[dict[str, Any]] = []
        nxt: list[dict[str, Any]] = []
        for f in firings:
            tm = f.timer
            if (tm.alarm_id, tm.generation, tm.stage, tm.round) not in pending:
                continue
            go = (tm.alarm_id, tm.generation) in active
            updates.append(
                {"b_a": tm.alarm_id, "b_g": tm.generation, "b_s": tm.stage,
                 "b_r": tm.round, "b_status": "fired" if go else "cancelled"}
            )  # fmt: skip
            if go:
                fired.append(tm)
                outbox.extend(delivery_dict(d) for d in f.deliveries)
                if f.next_timer is not None:
                    nxt.append(timer_dict(f.next_timer))
        if updates:
            stmt = (
                sa.update(t)
                .where(
                    t.c.alarm_id == sa.bindparam("b_a"),
                    t.c.generation == sa.bindparam("b_g"),
                    t.c.stage == sa.bindparam("b_s"),
                    t.c.round == sa.bindparam("b_r"),
                    t.c.status == "pending",
                )
                .values(status=sa.bindparam("b_status"), fired_ms=now_ms)
            )
            conn.execute(stmt, updates)
        insert_missing(conn, self._outbox, outbox)
        insert_missing(conn, self._timers, nxt)
        return fired

    # outbox -------------------------------------------------------------------------------
    def due_deliveries(self, now_ms: int, limit: int = 100) -> list[DeliveryRow]:
        o = self._outbox
        query = (
            sa.select(o)
            .where(o.c.status == "pending", o.c.next_ms <= now_ms)
            .order_by(o.c.next_ms, o.c.key)
            .limit(limit)
        )
        with self._tx("esc_due") as conn:
            return [delivery_row(r) for r in conn.execute(query)]

    def next_delivery_ms(self) -> int | None:
        o = self._outbox
        with self._tx("esc_next_delivery") as conn:
            value = conn.execute(
                sa.select(sa.func.min(o.c.next_ms)).where(o.c.status == "pending")
            ).scalar()
        return None if value is None else int(value)

    def mark(
        self, key: str, status: str, *, attempts: int, next_ms: int, sent_ms: int | None, error: str
    ) -> bool:
        """Record a delivery attempt; only a still-pending row changes (cancelled stays)."""
        o = self._outbox
        with self._tx("esc_mark") as conn:
            done = conn.execute(
                sa.update(o)
                .where(o.c.key == key, o.c.status == "pending")
                .values(
                    status=status, attempts=attempts, next_ms=next_ms, sent_ms=sent_ms, error=error
                )
            ).rowcount
        return bool(done)

    def deliveries(self, alarm_id: str | None = None) -> list[DeliveryRow]:
        o = self._outbox
        query = sa.select(o).order_by(o.c.created_ms, o.c.key)
        if alarm_id is not None:
            query = query.where(o.c.alarm_id == alarm_id)
        with self._tx("esc_deliveries") as conn:
            return [delivery_row(r) for r in conn.execute(query)]

    def drop_all(self) -> None:
        self._md.drop_all(self.engine)
