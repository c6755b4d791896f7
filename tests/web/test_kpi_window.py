"""The KPIs read their window in SQL: alarms raised before it, and homes without an alarm in it,
are not loaded; the communities audited are those of the whole scope."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.access import HomeScope
from domain.alarms import Alarm, AlarmState, Severity
from domain.model import Home
from stores.state.alarm_scope import ScopedAlarms
from stores.state.sql import SqlStateStore
from tests.conftest import sql_store


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStateStore]:
    with sql_store(request.param, tmp_path) as s:
        yield s


def test_alarms_since_and_homes_of_those_alarms(store: SqlStateStore) -> None:
    for i, community in enumerate(("c1", "c1", "c2", "c3")):
        store.upsert_home(Home(f"h{i}", community))
    for i, raised in enumerate((1_000, 5_000, 9_000)):
        store.save_alarm(
            Alarm(f"a{i}", f"h{i}", "sos", Severity.CRITICAL, AlarmState.RAISED, raised, raised)
        )
    scoped = ScopedAlarms(store)
    ops = HomeScope(communities=frozenset({"c1", "c2"}))
    assert [a.alarm_id for a in scoped.alarms(ops, since_ms=5_000)] == ["a2", "a1"]
    assert [a.alarm_id for a in scoped.alarms(ops)] == ["a2", "a1", "a0"]
    assert [h.home_id for h in scoped.homes(ops, {"h1", "h3"})] == ["h1"]  # h3: not in scope
    assert [h.home_id for h in scoped.homes(ops)] == ["h0", "h1", "h2"]
    assert scoped.communities(ops) == ["c1", "c2"]
    assert scoped.communities(HomeScope(all=True)) == ["c1", "c2", "c3"]
    assert scoped.communities(HomeScope(homes=frozenset({"h3"}))) == ["c3"]
