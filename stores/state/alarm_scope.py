"""Alarms and homes as one principal may see them: the scope is a WHERE clause of the query.

An operator's list never loads other communities' alarms; a family member's never loads other
homes'. `domain.access.HomeScope` says what is visible (all, some communities, some homes).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

import sqlalchemy as sa

from domain.access import HomeScope
from domain.alarms import Alarm
from domain.model import Home, Resident
from stores.state.alarm_views import HOME_FIELDS, homes_with_residents
from stores.state.sql import OPEN_VALUES, SqlStateStore

MAX_IDS = 5000  # ids bound into one IN (SQLite allows 32,766 parameters a statement)


class PageKey(NamedTuple):
    """Where a page of alarms ends, in their order (raised_ms desc, alarm_id desc)."""

    raised_ms: int
    alarm_id: str


class ScopedAlarms:
    def __init__(self, store: SqlStateStore) -> None:
        self.store = store
        self._alarms: sa.Table = store._alarms
        self._homes: sa.Table = store._homes

    def _home_ids(
        self, scope: HomeScope, column: sa.ColumnElement[Any], *, correlated: bool = False
    ) -> sa.ColumnElement[bool]:
        """`column` names a home in `scope`. `correlated`: the communities as EXISTS (the home
        of this row, by primary key) rather than IN (every home of the communities): for
        alarms, which are few beside the homes, 73 -> 21 ms for 500 open alarms among
        10,000 homes on SQLite (the IN form searched the alarms once per home in scope)."""
        if scope.all:
            return sa.true()
        clauses: list[sa.ColumnElement[bool]] = []
        if scope.homes:
            clauses.append(column.in_(sorted(scope.homes)))
        if scope.communities:
            h = self._homes
            communities = h.c.community_id.in_(sorted(scope.communities))
            if correlated:
                clauses.append(sa.exists().where(h.c.home_id == column, communities))
            else:
                clauses.append(column.in_(sa.select(h.c.home_id).where(communities)))
        return sa.or_(*clauses) if clauses else sa.false()

    def alarms(
        self, scope: HomeScope, *, open_only: bool = False, limit: int = 500, since_ms: int = 0
    ) -> list[Alarm]:
        """Newest first, only alarms of homes in `scope` raised at or after `since_ms`."""
        return self.alarm_page(scope, open_only=open_only, limit=limit, since_ms=since_ms)[0]

    def alarm_page(
        self,
        scope: HomeScope,
        *,
        open_only: bool = False,
        limit: int = 100,
        after: PageKey | None = None,
        since_ms: int = 0,
    ) -> tuple[list[Alarm], PageKey | None]:
        """A page of alarms of homes in `scope`, newest first (raised_ms desc, alarm_id desc),
        those after `after` in that order (keyset paging: a page costs the same wherever it
        is, and a row raised or closed meanwhile moves no other row between pages). Returns
        the page and the key to pass for the next one (None on the last page)."""
        if scope.empty:
            return [], None
        a = self._alarms
        query = (
            sa.select(a)
            .where(self._home_ids(scope, a.c.home_id, correlated=True))
            .order_by(a.c.raised_ms.desc(), a.c.alarm_id.desc())
            .limit(limit + 1)  # one more row says whether there is a next page
        )
        if open_only:
            query = query.where(a.c.state.in_(OPEN_VALUES))
        if since_ms:
            query = query.where(a.c.raised_ms >= since_ms)
        if after is not None:
            query = query.where(
                sa.or_(
                    a.c.raised_ms < after.raised_ms,
                    sa.and_(a.c.raised_ms == after.raised_ms, a.c.alarm_id < after.alarm_id),
                )
            )
        with self.store._tx("list_alarms_scoped") as conn:
            rows = conn.execute(query).all()
            more = len(rows) > limit
            alarms = self.store._with_history(conn, rows[:limit])
        last = alarms[-1] if more else None
        return alarms, None if last is None else PageKey(last.raised_ms, last.alarm_id)

    def _scoped_homes(self, scope: HomeScope) -> sa.ColumnElement[bool]:
        h = self._homes
        clauses: list[sa.ColumnElement[bool]] = [sa.true()] if scope.all else []
        if scope.homes:
            clauses.append(h.c.home_id.in_(sorted(scope.homes)))
        if scope.communities:  # the row's own community: no IN over a subquery of itself
            clauses.append(h.c.community_id.in_(sorted(scope.communities)))
        return sa.or_(*clauses)

    def communities(self, scope: HomeScope) -> list[str]:
        """The communities of the homes in `scope` (one pass over the community index)."""
        if scope.empty:
            return []
        h = self._homes
        query = sa.select(h.c.community_id).where(self._scoped_homes(scope)).distinct()
        with self.store._tx("list_communities_scoped") as conn:
            return sorted(conn.execute(query).scalars())

    def homes(self, scope: HomeScope, only: Iterable[str] | None = None) -> list[Home]:
        """Homes in `scope` (at least those of `only` when given, maybe more)."""
        if scope.empty:
            return []
        h = self._homes
        where = self._scoped_homes(scope)
        ids = None if only is None else sorted(set(only))
        if ids is not None and len(ids) <= MAX_IDS:  # beyond: all of scope, one plain pass
            where = sa.and_(where, h.c.home_id.in_(ids))
        # columns in Home's field order, rows made positionally: Row._asdict() cost ~20 us a
        # row, most of the 250 ms the KPIs spent reading 10,000 homes on the loaded machine
        query = sa.select(*(h.c[f] for f in HOME_FIELDS)).where(where)
        with self.store._tx("list_homes_scoped") as conn:
            return [Home(*r) for r in conn.execute(query.order_by(h.c.home_id)).all()]

    def homes_of(self, home_ids: Iterable[str]) -> dict[str, tuple[Home, list[Resident]]]:
        """Homes and residents of many alarms in two queries (the list's batched read)."""
        return homes_with_residents(self.store, home_ids)
