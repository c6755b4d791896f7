"""The alarm list reads its alarms' homes and residents in a fixed number of queries (not two
per alarm), shows the right ones, and answers with the time it was read (for the board's feed)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from domain.alarms import Detection, Severity
from domain.model import Home, Resident
from tests.web.auth_support import World, world


@pytest.fixture(params=["sqlite", "postgresql"])
def w(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    with world(request.param, tmp_path) as built:
        yield built


def add_alarms(w: World, n: int, start: int) -> None:
    for i in range(start, start + n):
        home = f"hb{i:03d}"
        w.store.upsert_home(Home(home, "c1", address=f"{home} 街 {i} 号"))
        w.store.upsert_resident(Resident(f"{home}-b", home, f"乙{i}"))
        w.store.upsert_resident(Resident(f"{home}-a", home, f"甲{i}"))
        w.alarms.on_detection(Detection(home, "sos", Severity.CRITICAL, 1, f"{home}-btn"))


def listed(w: World, client: Any) -> tuple[int, dict[str, Any]]:
    """(SQL statements run, the answer) of one cold read of the open alarms."""
    w.alarms._homes.clear()  # no cached homes: every home is read
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    sa.event.listen(w.store.engine, "before_cursor_execute", count)
    try:
        r = client.get("/api/alarms", params={"open": "true", "limit": 200})  # the largest page
    finally:
        sa.event.remove(w.store.engine, "before_cursor_execute", count)
    assert r.status_code == 200, r.text
    home_reads = [s for s in statements if "FROM homes" in s or "homes." in s.split("FROM")[-1]]
    return len(home_reads), r.json()


def test_list_reads_homes_in_batch_whatever_the_number_of_alarms(w: World) -> None:
    op = w.client("op1")
    add_alarms(w, 5, 0)
    few, body = listed(w, op)
    add_alarms(w, 40, 5)
    many, body = listed(w, op)
    assert many == few  # 45 alarms read their homes in as many queries as 5 did
    by_home = {a["home_id"]: a for a in body["alarms"]}
    assert len(by_home) == 2 + 45  # h1, h2 of c1 and the new homes
    assert by_home["hb017"]["home"]["address"] == "hb017 街 17 号"
    assert by_home["hb017"]["home"]["residents"] == ["甲17", "乙17"]  # by resident id
    assert by_home["h1"]["home"]["residents"] == ["岩温"]


def test_list_says_when_it_was_read(w: World) -> None:
    before = int(time.time() * 1000)
    r = w.client("op1").get("/api/alarms")
    assert before <= int(r.headers["X-Read-Ms"]) <= int(time.time() * 1000)
