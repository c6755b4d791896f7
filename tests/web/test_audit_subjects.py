"""A page of the audit log lists the first ids of each event (the smallest), `count` all of them:
a list read by the board names 500 alarms, and a page of such events was most of /api/audit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stores.state.audit import AuditEvent, AuditQuery, AuditStore
from stores.state.users import UserStore
from tests.conftest import sql_store


@pytest.fixture(params=["sqlite", "postgresql"])
def audit(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AuditStore]:
    with sql_store(request.param, tmp_path) as s:
        yield AuditStore(UserStore(s.engine, schema=s.schema))


def test_search_lists_the_first_ids_of_each_event_and_counts_all(audit: AuditStore) -> None:
    big = tuple(f"a{i:03d}" for i in range(300, 0, -1))  # stored in any order
    audit.add(AuditEvent(1, "u1", "op1", "operator", "read", "alarm", big))
    audit.add(AuditEvent(2, "u1", "op1", "operator", "read", "alarm", ("b2", "b1")))
    audit.add(AuditEvent(3, "u1", "op1", "operator", "read", "kpi", ()))
    full = audit.search(AuditQuery())
    short = audit.search(AuditQuery(), subjects=20)
    assert [e.count for e in short] == [e.count for e in full] == [0, 2, 300]
    assert [e.subject_ids for e in short[:2]] == [(), ("b1", "b2")]
    assert short[2].subject_ids == tuple(f"a{i:03d}" for i in range(1, 21))
    assert full[2].subject_ids == tuple(sorted(big))
    assert [e.subject_ids for e in audit.search(AuditQuery(), subjects=0)] == [(), (), ()]
    assert len(audit.search(AuditQuery(subject_id="a250"))) == 1  # found by any id, listed or not
