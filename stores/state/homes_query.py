"""Scoped reads over thousands of homes, done in SQL: the page of homes with their status tile,
tile counts, a home's earlier alarms, check-ins due and their coverage.

The scope (what the caller may see) is a WHERE clause of every query, never a filter applied
after loading. The tile is `domain.tiles.tile` written as one SQL CASE, in the same order.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa

from domain.alarms import OPEN_STATES, Severity
from domain.tiles import SILENT_AFTER_MS, Tile
from stores.state.records import BoardStore

_OPEN = sorted(s.value for s in OPEN_STATES)
_CARE = [Severity.CRITICAL.value, Severity.MAJOR.value]


class Scope(Protocol):
    """`domain.access.HomeScope`: everything, some communities, some homes."""

    @property
    def all(self) -> bool: ...

    @property
    def communities(self) -> Collection[str]: ...

    @property
    def homes(self) -> Collection[str]: ...


@dataclass(frozen=True, slots=True)
class HomeRow:
    home_id: str
    community_id: str
    address: str
    lat: float | None
    lon: float | None
    tile: Tile
    last_activity_ms: int | None
    away_until_ms: int | None
    residents: tuple[tuple[str, str], ...]  # (resident_id, name)


@dataclass(frozen=True, slots=True)
class DueRow:
    resident_id: str
    name: str
    home_id: str
    community_id: str
    address: str
    phone: str
    last_ms: int | None  # last check-in that counted, any month


ANALYZE_EVERY_S = 3600.0


class HomesQuery:
    def __init__(self, board: BoardStore) -> None:
        self.board = board
        t = board.t
        self.h, self.r, self.a = t["homes"], t["residents"], t["alarms"]
        self.p, self.c = t["home_presence"], t["checkins"]
        self._analyzed = -ANALYZE_EVERY_S

    def analyze(self) -> None:
        """SQLite plans without statistics until ANALYZE: an operator's list of communities
        then walks the community index and sorts every home (80 ms for 10,000) instead of
        walking the primary key and stopping after one page (1 ms). Refreshed hourly (on
        PostgreSQL too: autovacuum's statistics lag behind a bulk load)."""
        now = time.monotonic()
        if now - self._analyzed < ANALYZE_EVERY_S:
            return
        self._analyzed = now
        dialect = self.board.engine.dialect.name
        if dialect not in ("sqlite", "postgresql"):
            return
        with self.board.tx("board_analyze") as conn:
            for table in (self.h, self.r, self.p, self.a, self.c):
                name = f'"{table.schema}"."{table.name}"' if table.schema else f'"{table.name}"'
                conn.exec_driver_sql(f"ANALYZE {name}")

    # ---- scope and tile ------------------------------------------------------------------
    def scoped(self, scope: Scope) -> sa.ColumnElement[bool]:
        if scope.all:
            return sa.true()
        parts: list[sa.ColumnElement[bool]] = []
        if scope.communities:
            parts.append(self.h.c.community_id.in_(sorted(scope.communities)))
        if scope.homes:
            parts.append(self.h.c.home_id.in_(sorted(scope.homes)))
        return sa.or_(*parts) if parts else sa.false()

    def _flags(self) -> sa.Subquery:
        """Per home with open alarms: care (critical/major), notice (minor), fault (technical).
        One pass over the open alarms (hundreds), joined to the homes (thousands)."""
        a = self.a

        def has(severities: Sequence[str], name: str) -> sa.Label[Any]:
            return sa.func.max(sa.case((a.c.severity.in_(severities), 1), else_=0)).label(name)

        return (
            sa.select(
                a.c.home_id,
                has(_CARE, "care"),
                has([Severity.MINOR.value], "notice"),
                has([Severity.TECHNICAL.value], "fault"),
            )
            .where(a.c.state.in_(_OPEN))
            .group_by(a.c.home_id)
            .subquery("flags")
        )

    def _from(self, flags: sa.Subquery) -> sa.FromClause:
        h, p = self.h, self.p
        return h.outerjoin(p, p.c.home_id == h.c.home_id).outerjoin(
            flags, flags.c.home_id == h.c.home_id
        )

    def tile_expr(
        self, flags: sa.Subquery, now_ms: int, silent_after_ms: int = SILENT_AFTER_MS
    ) -> Any:
        p = self.p
        away = sa.and_(p.c.away_until_ms.is_not(None), p.c.away_until_ms > now_ms)
        silent = sa.or_(
            p.c.last_activity_ms.is_(None), p.c.last_activity_ms <= now_ms - silent_after_ms
        )
        return sa.case(
            (flags.c.care == 1, Tile.ALARM.value),
            (flags.c.fault == 1, Tile.DEVICE.value),
            (away, Tile.AWAY.value),
            (sa.or_(flags.c.notice == 1, silent), Tile.ATTENTION.value),
            else_=Tile.FINE.value,
        )

    def _search(self, q: str) -> sa.ColumnElement[bool]:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        r = self.r
        by_resident = sa.select(r.c.home_id).where(
            sa.or_(r.c.name.ilike(pattern, escape="\\"), r.c.resident_id == q)
        )
        return sa.or_(
            self.h.c.home_id.ilike(pattern, escape="\\"),
            self.h.c.address.ilike(pattern, escape="\\"),
            self.h.c.home_id.in_(by_resident),
        )

    # ---- homes at a glance ---------------------------------------------------------------
    def page(
        self,
        scope: Scope,
        now_ms: int,
        *,
        q: str = "",
        tile: Tile | None = None,
        community: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[int, list[HomeRow], dict[str, int]]:
        """(total matching, one page of homes, count per tile before the tile filter)."""
        self.analyze()
        h, p = self.h, self.p
        flags = self._flags()
        tile_col = self.tile_expr(flags, now_ms).label("tile")
        where = [self.scoped(scope)]
        if q:
            where.append(self._search(q))
        if community:
            where.append(h.c.community_id == community)
        base = (
            sa.select(h, p.c.last_activity_ms, p.c.away_until_ms, tile_col)
            .select_from(self._from(flags))
            .where(*where)
        ).subquery()
        counts_q = sa.select(base.c.tile, sa.func.count()).group_by(base.c.tile)
        rows_q = sa.select(base)
        if tile is not None:
            rows_q = rows_q.where(base.c.tile == tile.value)
        rows_q = rows_q.order_by(base.c.home_id).offset(offset).limit(limit)
        with self.board.tx("board_homes_page") as conn:
            counts = {str(k): int(n) for k, n in conn.execute(counts_q)}
            rows = conn.execute(rows_q).all()
            names = self._names(conn, [row.home_id for row in rows])
        total = counts.get(tile.value, 0) if tile is not None else sum(counts.values())
        homes = [
            HomeRow(
                row.home_id, row.community_id, row.address, row.lat, row.lon, Tile(row.tile),
                row.last_activity_ms, row.away_until_ms, tuple(names.get(row.home_id, ())),
            )
            for row in rows
        ]  # fmt: skip
        return total, homes, {t.value: counts.get(t.value, 0) for t in Tile}

    def _names(self, conn: sa.Connection, home_ids: list[str]) -> dict[str, list[tuple[str, str]]]:
        if not home_ids:
            return {}
        r = self.r
        out: dict[str, list[tuple[str, str]]] = {}
        query = sa.select(r.c.home_id, r.c.resident_id, r.c.name).where(r.c.home_id.in_(home_ids))
        for row in conn.execute(query.order_by(r.c.resident_id)):
            out.setdefault(row.home_id, []).append((row.resident_id, row.name))
        return out

    def home_tile(self, home_id: str, now_ms: int) -> Tile | None:
        flags = self._flags()
        query = (
            sa.select(self.tile_expr(flags, now_ms))
            .select_from(self._from(flags))
            .where(self.h.c.home_id == home_id)
        )
        with self.board.tx("board_home_tile") as conn:
            value = conn.execute(query).scalar()
        return None if value is None else Tile(value)

    def alarms_of(self, home_id: str, *, limit: int = 20) -> list[dict[str, Any]]:
        """A home's alarms, newest first (the detail panel's "earlier alarms")."""
        a = self.a
        query = (
            sa.select(
                a.c.alarm_id, a.c.type, a.c.severity, a.c.state, a.c.raised_ms, a.c.updated_ms
            )
            .where(a.c.home_id == home_id)
            .order_by(a.c.raised_ms.desc())
            .limit(limit)
        )
        with self.board.tx("board_alarms_of") as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    # ---- check-ins -----------------------------------------------------------------------
    def _reached(self, month: str) -> sa.Exists:
        c = self.c
        return sa.exists().where(
            c.c.resident_id == self.r.c.resident_id, c.c.month == month, c.c.counts.is_(True)
        )

    def due(
        self, scope: Scope, month: str, *, community: str | None = None, offset: int = 0,
        limit: int = 50,
    ) -> tuple[int, list[DueRow]]:  # fmt: skip
        """Residents not yet called or visited in `month`, by community then name."""
        self.analyze()
        h, r, c = self.h, self.r, self.c
        last = (
            sa.select(sa.func.max(c.c.at_ms))
            .where(c.c.resident_id == r.c.resident_id, c.c.counts.is_(True))
            .scalar_subquery()
        )
        where = [self.scoped(scope), ~self._reached(month)]
        if community:
            where.append(h.c.community_id == community)
        joined = r.join(h, h.c.home_id == r.c.home_id)
        count_q = sa.select(sa.func.count()).select_from(joined).where(*where)
        rows_q = (
            sa.select(r.c.resident_id, r.c.name, h.c.home_id, h.c.community_id, h.c.address,
                      r.c.phone, last.label("last_ms"))
            .select_from(joined)
            .where(*where)
            .order_by(h.c.community_id, r.c.name, r.c.resident_id)
            .offset(offset)
            .limit(limit)
        )  # fmt: skip
        with self.board.tx("board_checkins_due") as conn:
            total = int(conn.execute(count_q).scalar_one())
            rows = [DueRow(*row) for row in conn.execute(rows_q)]
        return total, rows

    def coverage(self, scope: Scope, month: str) -> list[tuple[str, int, int]]:
        """(community_id, residents, residents reached in `month`) per community in scope."""
        self.analyze()
        h, r = self.h, self.r
        reached = sa.case((self._reached(month), 1), else_=0)
        query = (
            sa.select(h.c.community_id, sa.func.count(), sa.func.sum(reached))
            .select_from(r.join(h, h.c.home_id == r.c.home_id))
            .where(self.scoped(scope))
            .group_by(h.c.community_id)
            .order_by(h.c.community_id)
        )
        with self.board.tx("board_checkin_coverage") as conn:
            return [(str(cid), int(n), int(k or 0)) for cid, n, k in conn.execute(query)]
