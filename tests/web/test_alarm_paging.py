"""`GET /api/alarms` in keyset pages (SQLite and PostgreSQL): following `next` lists every alarm
exactly once, newest first (raised_ms desc, then id desc, ties included), within the caller's
scope on every page, audited page by page; a bad cursor is a 400, a page over 200 a 422."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.alarms import Detection, Severity
from domain.model import Home
from stores.state.audit import AuditQuery
from tests.web.auth_support import World, world

C1_HOMES, C2_HOMES = 70, 50  # with h1..h3: 72 alarms of c1, 51 of c2, 123 in all (> 100)


@pytest.fixture(params=["sqlite", "postgresql"], scope="module")
def w(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The auth world plus 120 homes with an open alarm each, raised three to a millisecond
    (the id decides their order), and two alarms closed."""
    with world(request.param, tmp_path_factory.mktemp("paging")) as built:
        homes = [(f"p1-{i:03d}", "c1") for i in range(C1_HOMES)]
        homes += [(f"p2-{i:03d}", "c2") for i in range(C2_HOMES)]
        for n, (home, community) in enumerate(homes):
            built.store.upsert_home(Home(home, community, address=f"{home} 路"))
            if n % 3 == 0:
                built.clock.advance(0.001)
            kind, severity = ("sos", Severity.CRITICAL) if n % 2 else ("fall", Severity.MAJOR)
            built.alarms.on_detection(Detection(home, kind, severity, 1, f"{home}-btn"))
        for home in ("p1-005", "p2-007"):
            closed = built.store.find_open_alarm(home, "sos") or built.store.find_open_alarm(
                home, "fall"
            )
            assert closed is not None
            built.alarms.resolve(closed.alarm_id, "user:admin", "false_alarm")
        yield built


def expected(w: World, communities: set[str], *, open_only: bool = True) -> list[str]:
    """Alarm ids of those communities in the list's order, from the store."""
    alarms = [
        a
        for a in w.store.list_alarms(open_only=open_only, limit=10_000)
        if (home := w.store.get_home(a.home_id)) and home.community_id in communities
    ]
    return [a.alarm_id for a in sorted(alarms, key=lambda a: (a.raised_ms, a.alarm_id))[::-1]]


def read_all(client: TestClient, **params: Any) -> list[list[dict[str, Any]]]:
    """Every page, `next` followed until null."""
    pages: list[list[dict[str, Any]]] = []
    cursor = None
    while True:
        query = params | ({} if cursor is None else {"cursor": cursor})
        r = client.get("/api/alarms", params=query)
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == {"alarms", "next"}
        pages.append(body["alarms"])
        cursor = body["next"]
        if cursor is None:
            return pages
        assert len(pages) < 200, "next never ends"


def test_every_open_alarm_once_in_order_across_pages(w: World) -> None:
    pages = read_all(w.client("admin"), open="true", limit=7)
    ids = [a["id"] for page in pages for a in page]
    assert [len(p) for p in pages[:-1]] == [7] * (len(pages) - 1) and 1 <= len(pages[-1]) <= 7
    assert len(ids) == len(set(ids))
    assert ids == expected(w, {"c1", "c2"})  # every open alarm, newest first, ties by id
    assert len(ids) >= 3 + C1_HOMES + C2_HOMES - 3  # (a later test closes one more)
    keys = [(a["raised_ms"], a["id"]) for page in pages for a in page]
    assert keys == sorted(keys, reverse=True)
    assert len({k[0] for k in keys}) < len(keys)  # ties on raised_ms were crossed
    assert all(a["open"] for page in pages for a in page)


def test_the_default_page_is_100_and_closed_alarms_are_listed_without_open(w: World) -> None:
    admin = w.client("admin")
    first = admin.get("/api/alarms", params={"open": "true"}).json()
    assert len(first["alarms"]) == 100 and first["next"] is not None
    pages = read_all(admin)  # open and closed
    every = expected(w, {"c1", "c2"}, open_only=False)
    assert [len(p) for p in pages] == [100, len(every) - 100]
    assert [a["id"] for p in pages for a in p] == every
    whole = admin.get("/api/alarms", params={"open": "true", "limit": 200}).json()
    assert whole["next"] is None
    assert [a["id"] for a in whole["alarms"]] == expected(w, {"c1", "c2"}) != every


def test_scope_holds_on_every_page(w: World) -> None:
    admin = w.client("admin")
    admin_cursors = [admin.get("/api/alarms", params={"limit": n}).json()["next"] for n in (11, 40)]
    for user, mine, theirs in (("op1", "c1", "c2"), ("op2", "c2", "c1")):
        client = w.client(user)
        pages = read_all(client, open="true", limit=9)
        assert len(pages) > 1
        ids = [a["id"] for page in pages for a in page]
        assert ids == expected(w, {mine})
        assert not set(ids) & set(expected(w, {theirs}))
        for page in pages:
            assert {a["home"]["community_id"] for a in page} == {mine}
        for cursor in admin_cursors:  # a cursor from another's list moves the page, not the scope
            page = client.get("/api/alarms", params={"open": "true", "cursor": cursor}).json()
            assert page["alarms"] and {a["home"]["community_id"] for a in page["alarms"]} == {mine}
    fam = read_all(w.client("famA"), limit=1)
    assert [[a["home_id"] for a in p] for p in fam] == [["h1"]]


def test_each_page_is_audited_with_its_own_ids(w: World) -> None:
    op1 = w.client("op1")
    pages = read_all(op1, open="true", limit=30)
    audit = w.app.state.ctx.auth.audit
    events = audit.search(AuditQuery(actor="op1", kind="alarm", limit=len(pages)))[::-1]
    assert [e.path for e in events] == ["/api/alarms"] * len(pages)
    assert [set(e.subject_ids) for e in events] == [{a["id"] for a in p} for p in pages]


def test_a_page_read_later_neither_repeats_nor_skips(w: World) -> None:
    """Alarms raised or closed between pages move no other alarm across the page boundary."""
    admin = w.client("admin")
    before = expected(w, {"c1", "c2"})
    first = admin.get("/api/alarms", params={"open": "true", "limit": 10}).json()
    w.clock.advance(1)
    w.store.upsert_home(Home("p3-new", "c1", address="new"))
    new = w.alarms.on_detection(Detection("p3-new", "sos", Severity.CRITICAL, 1, "x")).alarm_id
    w.alarms.resolve(first["alarms"][0]["id"], "user:admin", "false_alarm")  # on page 1
    try:
        rest = read_all(admin, open="true", limit=10, cursor=first["next"])
        ids = [a["id"] for a in first["alarms"]] + [a["id"] for p in rest for a in p]
        assert ids == before  # the new one is newer than the cursor: the feed brings it
    finally:
        w.alarms.resolve(new, "user:admin", "false_alarm")


def cursor_of(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "x",
        "!!!!",
        "é",
        cursor_of("no colon"),
        cursor_of(":a1"),
        cursor_of("12:"),
        cursor_of("-5:a1"),
        cursor_of("012:a1"),
        cursor_of(f"{2**53}:a1"),
        cursor_of("12:a\x01"),
        cursor_of("12:" + "a" * 65),
        "A" * 500,
        base64.urlsafe_b64encode(b"\xff\xfe:12").decode(),
    ],
)
def test_a_malformed_cursor_is_a_400_with_a_message(w: World, cursor: str) -> None:
    r = w.client("op1").get("/api/alarms", params={"open": "true", "cursor": cursor})
    assert r.status_code == 400, r.text
    assert isinstance(r.json()["detail"], str) and "cursor" in r.json()["detail"]


def test_a_page_over_200_is_a_422(w: World) -> None:
    op1 = w.client("op1")
    assert op1.get("/api/alarms", params={"limit": 200}).status_code == 200
    for limit in (201, 1000):
        r = op1.get("/api/alarms", params={"limit": limit})
        assert r.status_code == 422 and "limit" in r.text


def test_a_well_formed_cursor_of_no_alarm_still_pages(w: World) -> None:
    """The cursor is a position, not a reference: past every alarm is an empty last page."""
    op1 = w.client("op1")
    empty = op1.get("/api/alarms", params={"cursor": cursor_of("0:0")}).json()
    assert empty == {"alarms": [], "next": None}
    top = op1.get("/api/alarms", params={"cursor": cursor_of(f"{2**53 - 1}:z"), "limit": 5})
    assert [a["id"] for a in top.json()["alarms"]] == expected(w, {"c1"}, open_only=False)[:5]
