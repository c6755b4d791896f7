"""The homes and residents of many alarms in two queries (the alarm list's batched read).

The alarm list shows each alarm's address and residents; reading them home by home cost two
queries per alarm (1,000 queries for 500 open alarms). Here: one query for the homes, one for
their residents, whatever the number of alarms.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import sqlalchemy as sa

from domain.model import Home, Resident
from stores.state.sql import SqlStateStore

CHUNK = 900  # ids per IN (...): under SQLite's old 999-parameter limit
_HOME = tuple(f.name for f in dataclasses.fields(Home))
_RESIDENT = tuple(f.name for f in dataclasses.fields(Resident))


def homes_with_residents(
    store: SqlStateStore, home_ids: Iterable[str]
) -> dict[str, tuple[Home, list[Resident]]]:
    """home id -> (home, its residents by resident id); unknown homes are left out."""
    ids = sorted(set(home_ids))
    out: dict[str, tuple[Home, list[Resident]]] = {}
    if not ids:
        return out
    h, r = store._homes, store._residents
    homes = sa.select(*(h.c[f] for f in _HOME))  # in field order: rows made positionally
    residents = sa.select(*(r.c[f] for f in _RESIDENT)).order_by(r.c.resident_id)
    with store._tx("homes_with_residents") as conn:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            for row in conn.execute(homes.where(h.c.home_id.in_(chunk))):
                home = Home(*row)
                out[home.home_id] = (home, [])
            for row in conn.execute(residents.where(r.c.home_id.in_(chunk))):
                resident = Resident(*row)
                found = out.get(resident.home_id)
                if found is not None:
                    found[1].append(resident)
    return out
