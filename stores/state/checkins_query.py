"""The monthly check-in list over thousands of residents, in SQL and scoped: who has not been
called or visited this month, and the coverage rate per community."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from stores.state.homes_query import HomesQuery, Scope


@dataclass(frozen=True, slots=True)
class DueRow:
    resident_id: str
    name: str
    home_id: str
    community_id: str
    address: str
    phone: str
    last_ms: int | None  # last check-in that counted, any month


def _reached(q: HomesQuery, month: str) -> sa.Exists:
    c = q.c
    return sa.exists().where(
        c.c.resident_id == q.r.c.resident_id, c.c.month == month, c.c.counts.is_(True)
    )


def due(
    q: HomesQuery, scope: Scope, month: str, *, community: str | None = None, offset: int = 0,
    limit: int = 50,
) -> tuple[int, list[DueRow]]:  # fmt: skip
    """Residents not yet called or visited in `month`, by community then name."""
    q.analyze()
    h, r, c = q.h, q.r, q.c
    last = (
        sa.select(sa.func.max(c.c.at_ms))
        .where(c.c.resident_id == r.c.resident_id, c.c.counts.is_(True))
        .scalar_subquery()
    )
    in_scope = [q.scoped(scope)]
    if community:
        in_scope.append(h.c.community_id == community)
    where = [*in_scope, ~_reached(q, month)]
    joined = r.join(h, h.c.home_id == r.c.home_id)
    # due = residents in scope - those reached: SQLite plans the NOT EXISTS count as a scan of
    # every resident with a home lookup each (13 ms for 10,000), the two counts take 7 ms
    count = sa.select(sa.func.count()).select_from(joined)
    all_q, reached_q = count.where(*in_scope), count.where(*in_scope, _reached(q, month))
    rows_q = (
        sa.select(r.c.resident_id, r.c.name, h.c.home_id, h.c.community_id, h.c.address,
                  r.c.phone, last.label("last_ms"))
        .select_from(joined)
        .where(*where)
        .order_by(h.c.community_id, r.c.name, r.c.resident_id)
        .offset(offset)
        .limit(limit)
    )  # fmt: skip
    with q.board.tx("board_checkins_due") as conn:
        total = int(conn.execute(all_q).scalar_one()) - int(conn.execute(reached_q).scalar_one())
        rows = [DueRow(*row) for row in conn.execute(rows_q)]
    return total, rows


def coverage(q: HomesQuery, scope: Scope, month: str) -> list[tuple[str, int, int]]:
    """(community_id, residents, residents reached in `month`) per community in scope."""
    q.analyze()
    h, r = q.h, q.r
    reached = sa.case((_reached(q, month), 1), else_=0)
    query = (
        sa.select(h.c.community_id, sa.func.count(), sa.func.sum(reached))
        .select_from(r.join(h, h.c.home_id == r.c.home_id))
        .where(q.scoped(scope))
        .group_by(h.c.community_id)
        .order_by(h.c.community_id)
    )
    with q.board.tx("board_checkin_coverage") as conn:
        return [(str(cid), int(n), int(k or 0)) for cid, n, k in conn.execute(query)]
