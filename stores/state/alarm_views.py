"""The homes and residents of many alarms in two queries (the alarm list's batched read).

The alarm list shows each alarm's address and residents; reading them home by home cost two
queries per alarm (1,000 queries for 500 open alarms). Here: one query for the homes, one for
their residents, whatever the number of alarms.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from domain.model import Home, Resident
from stores.state.sql import SqlStateStore

CHUNK = 900  # ids per IN (...): under SQLite's old 999-parameter limit


def homes_with_residents(
    store: SqlStateStore, home_ids: Iterable[str]
) -> dict[str, tuple[Home, list[Resident]]]:
    """home id -> (home, its residents by resident id); unknown homes are left out."""
    ids = sorted(set(home_ids))
    out: dict[str, tuple[Home, list[Resident]]] = {}
    if not ids:
        return out
    h, r = store._homes, store._residents
    with store._tx("homes_with_residents") as conn:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            for row in conn.execute(sa.select(h).where(h.c.home_id.in_(chunk))):
                out[row.home_id] = (Home(**row._asdict()), [])
            query = sa.select(r).where(r.c.home_id.in_(chunk)).order_by(r.c.resident_id)
            for row in conn.execute(query):
                found = out.get(row.home_id)
                if found is not None:
                    found[1].append(Resident(**row._asdict()))
    return out
