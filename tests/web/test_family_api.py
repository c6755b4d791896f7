"""The family API on real SQLite stores with an injected clock: a family member sees only their
own relative (family A vs B), staff read for support by scope, every read is audited, the day's
summary comes from the time-series store, preferences are the member's own escalation contact,
bad input is a 4xx with a message."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from alerts.escalation.contacts import Contact
from alerts.escalation.policy import Role as EscRole
from alerts.feed import LocalFeed
from alerts.service import AlarmService
from domain.access import Role
from domain.alarms import Detection, Severity
from domain.clock import ManualClock
from domain.model import Device, DeviceKind, Home, Resident, Room
from domain.points import FieldValue, Point
from stores.state.audit import AuditQuery
from stores.state.escalation import EscalationStore
from stores.state.sql import SqlStateStore
from stores.timeseries.sqlite import SqliteTimeSeries
from tests.conftest import sql_store
from tests.web.auth_support import add_user, auth_of, login, token_for
from web.app import create_app

TZ = ZoneInfo("Asia/Shanghai")
MOTION: dict[str, FieldValue] = {"type": "motion", "state": True}
DAY = date(2026, 3, 10)


def at(hhmm: str, day: date = DAY) -> int:
    h, m = (int(x) for x in hhmm.split(":"))
    return int(datetime.combine(day, time(h, m), TZ).timestamp() * 1000)


@dataclass
class Family:
    app: FastAPI
    store: SqlStateStore
    ts: SqliteTimeSeries
    alarms: AlarmService
    clock: ManualClock


@pytest.fixture
def backend() -> str:
    """The state store's database; tests of the boundaries run on PostgreSQL as well."""
    return "sqlite"


@pytest.fixture
def fam(tmp_path: Path, backend: str) -> Iterator[Family]:
    with sql_store(backend, tmp_path) as store:
        yield from _family(store, tmp_path)


def _family(store: SqlStateStore, tmp_path: Path) -> Iterator[Family]:
    ts = SqliteTimeSeries(tmp_path / "ts.db")
    clock = ManualClock(at("12:00") / 1000)
    feed = LocalFeed()
    alarms = AlarmService(store, feed, clock)
    app = create_app(store, feed, alarms, keepalive_s=0.5)
    app.state.timeseries = ts
    store.upsert_home(Home("h1", "c1", "景洪市嘎兰中路 8 号"))
    store.upsert_home(Home("h2", "c2", "勐海县象山镇 3 号"))
    store.upsert_resident(Resident("r1", "h1", "岩温", birth_year=1940))
    store.upsert_resident(Resident("r2", "h2", "玉罕", birth_year=1950))
    devices = [
        Device("h1-bed", "h1", DeviceKind.BED, "bed-1", Room.BEDROOM),
        Device("h1-bath", "h1", DeviceKind.MOTION, "pir-1", Room.BATHROOM),
        Device("h1-kitchen", "h1", DeviceKind.MOTION, "pir-1", Room.KITCHEN),
        Device("h1-door", "h1", DeviceKind.DOOR, "door-1", Room.ENTRANCE),
    ]
    for d in devices:
        store.upsert_device(d)
    day: list[tuple[str, str, dict[str, FieldValue], date]] = [
        ("h1-bed", "21:50", {"type": "bed", "state": True}, date(2026, 3, 9)),
        ("h1-bed", "07:10", {"type": "bed", "state": False}, DAY),
        ("h1-bath", "07:12", {"type": "motion", "state": True}, DAY),
        *[("h1-kitchen", t, MOTION, DAY) for t in ("07:40", "07:48", "07:56", "08:05")],
        ("h1-door", "09:30", {"type": "door", "state": "open"}, DAY),
        ("h1-door", "11:15", {"type": "door", "state": "open"}, DAY),
        ("h1-bath", "11:20", {"type": "motion", "state": True}, DAY),
    ]  # fmt: skip
    ts.write([Point(at(t, d), "h1", dev, i, "event", f) for i, (dev, t, f, d) in enumerate(day)])
    yield Family(app, store, ts, alarms, clock)
    feed.close()
    ts.close()


USERS: dict[str, tuple[Role, dict[str, list[str]]]] = {
    "famA": (Role.FAMILY, {"residents": ["r1"]}),
    "famB": (Role.FAMILY, {"residents": ["r2"]}),
    "op1": (Role.OPERATOR, {"communities": ["c1"]}),
    "op2": (Role.OPERATOR, {"communities": ["c2"]}),
    "root": (Role.ADMIN, {}),
    "maker": (Role.INTEGRATOR, {"models": ["pir-1"]}),
}


def client_as(fam: Family, username: str) -> TestClient:
    """Signed in as one of USERS (made on first use: password hashing is slow on purpose)."""
    if auth_of(fam.app).users.by_username(username) is None:
        role, scope = USERS[username]
        add_user(
            fam.app,
            role,
            username=username,
            communities=scope.get("communities", ()),
            residents=scope.get("residents", ()),
            models=scope.get("models", ()),
        )
    c = TestClient(fam.app)
    login(c, username)
    return c


def sos(fam: Family, home: str = "h1", when: str = "11:50") -> str:
    fam.clock.set(at(when) / 1000)
    alarm = fam.alarms.on_detection(Detection(home, "sos", Severity.CRITICAL, at(when)))
    fam.clock.set(at("12:00") / 1000)
    return alarm.alarm_id


def test_my_relatives_and_a_calm_summary(fam: Family) -> None:
    c = client_as(fam, "famA")
    rel = c.get("/api/family/relatives").json()["relatives"]
    assert rel == [
        {"resident_id": "r1", "name": "岩温", "home_id": "h1", "address": "景洪市嘎兰中路 8 号"}
    ]
    s = c.get("/api/family/relatives/r1/summary").json()
    assert s["date"] == "2026-03-10" and s["status"] == "fine"
    assert (
        s["text"]
        == "起床 07:10，吃过早饭（厨房 07:40–08:05），09:30 出门，11:15 回家，今天一切正常。"
    )
    en = c.get("/api/family/relatives/r1/summary?lang=en").json()["text"]
    assert en.startswith("Up at 07:10, breakfast in the kitchen 07:40–08:05")
    assert s["up_ms"] == at("07:10") and s["outings"][0]["end_ms"] == at("11:15")


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_family_a_cannot_read_family_b(fam: Family) -> None:
    c = client_as(fam, "famA")
    for path in ("summary", "alarms"):
        r = c.get(f"/api/family/relatives/r2/{path}")
        assert r.status_code == 404 and r.json()["detail"] == "no relative r2"
    assert c.get("/api/family/relatives/nobody/summary").status_code == 404  # alike
    b = client_as(fam, "famB")
    assert [r["resident_id"] for r in b.get("/api/family/relatives").json()["relatives"]] == ["r2"]
    assert b.get("/api/family/relatives/r1/summary").status_code == 404


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_staff_read_by_scope_integrators_not_at_all(fam: Family) -> None:
    assert client_as(fam, "op1").get("/api/family/relatives/r1/summary").status_code == 200
    assert client_as(fam, "op2").get("/api/family/relatives/r1/summary").status_code == 404
    assert client_as(fam, "root").get("/api/family/relatives/r2/alarms").status_code == 200
    assert client_as(fam, "op1").get("/api/family/relatives").json() == {"relatives": []}
    r = client_as(fam, "maker").get("/api/family/relatives/r1/summary")
    assert r.status_code == 403
    assert TestClient(fam.app).get("/api/family/relatives").status_code == 401
    page = TestClient(fam.app).get("/family", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login?next=/family")


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_every_read_is_audited(fam: Family) -> None:
    alarm_id = sos(fam)
    c = client_as(fam, "famA")
    c.get("/api/family/relatives")
    c.get("/api/family/relatives/r1/summary?date=2026-03-10")
    c.get("/api/family/relatives/r1/alarms")
    c.get("/api/family/preferences")
    events = auth_of(fam.app).audit.search(AuditQuery(actor="famA", action="read"))
    got = {(e.kind, e.subject_ids, e.path) for e in events}
    assert ("resident", ("r1",), "/api/family/relatives") in got
    assert ("readings", ("r1",), "/api/family/relatives/r1/summary") in got
    assert ("alarm", (alarm_id,), "/api/family/relatives/r1/summary") in got
    assert ("alarm", (alarm_id,), "/api/family/relatives/r1/alarms") in got
    assert any(e.kind == "contacts" and e.path == "/api/family/preferences" for e in events)


def test_open_alarm_accepted_by_family_says_you_then_operator_by_name(fam: Family) -> None:
    alarm_id = sos(fam)
    c = client_as(fam, "famA")
    s = c.get("/api/family/relatives/r1/summary").json()
    assert (
        s["status"] == "alarm"
        and s["alarms"][0]["can_accept"]
        and s["alarms"][0]["handler"] is None
    )
    assert s["text"].startswith("11:50 紧急呼叫，正在通知家人和社区呼叫中心")
    r = c.post(f"/api/alarms/{alarm_id}/accept", json={})
    assert r.status_code == 200, r.text
    s = c.get("/api/family/relatives/r1/summary").json()
    item = s["alarms"][0]
    assert (item["handler"], item["handler_name"], item["mine"]) == ("user:famA", "您", True)
    assert s["text"].startswith("11:50 紧急呼叫，由 您 处理")
    second = sos(fam, when="11:55")  # the SOS is open still: a repeat updates it
    assert second == alarm_id
    other = fam.alarms.on_detection(Detection("h1", "fall", Severity.CRITICAL, at("11:58")))
    op = client_as(fam, "op1")
    assert op.post(f"/api/alarms/{other.alarm_id}/accept", json={}).status_code == 200
    users = auth_of(fam.app).users
    op1 = users.by_username("op1")
    assert op1 is not None
    users.update_user(op1.user_id, 0, display_name="王芳")
    en = c.get("/api/family/relatives/r1/summary?lang=en").json()
    fall = next(a for a in en["alarms"] if a["id"] == other.alarm_id)
    assert fall["handler_name"] == "王芳" and not fall["mine"]
    assert "handled by 王芳" in en["text"]


def test_history_is_paged_newest_first(fam: Family) -> None:
    ids = []
    for i in range(5):
        alarm_id = sos(fam, when=f"0{i + 1}:00")
        fam.alarms.resolve(alarm_id, "user:op1", "false_alarm")
        ids.append(alarm_id)
    c = client_as(fam, "famA")
    first = c.get("/api/family/relatives/r1/alarms?limit=2").json()
    assert [a["id"] for a in first["alarms"]] == ids[::-1][:2] and first["next_offset"] == 2
    last = c.get("/api/family/relatives/r1/alarms?limit=2&offset=4").json()
    assert [a["id"] for a in last["alarms"]] == [ids[0]] and last["next_offset"] is None
    assert not any(a["open"] for a in first["alarms"])
    now_open = sos(fam, when="11:00")
    every = c.get("/api/family/relatives/r1/alarms?limit=2").json()["alarms"]
    over = c.get("/api/family/relatives/r1/alarms?limit=2&closed=true").json()["alarms"]
    assert every[0]["id"] == now_open and now_open not in [a["id"] for a in over]


def test_bad_input_is_a_4xx_with_a_message(fam: Family) -> None:
    c = client_as(fam, "famA")
    r = c.get("/api/family/relatives/r1/summary?date=2026-03-11")
    assert r.status_code == 400 and "future" in r.json()["detail"]
    assert c.get("/api/family/relatives/r1/summary?date=yesterday").status_code == 422
    r = c.get("/api/family/relatives/r1/summary?date=0001-01-01")
    assert r.status_code == 400 and "days back" in r.json()["detail"]
    assert c.get("/api/family/relatives/r1/alarms?limit=0").status_code == 422
    assert c.get("/api/family/relatives/r%20; drop/summary").status_code in (404, 422)
    r = c.put("/api/family/preferences", json={"name": "阿明", "addresses": {"sms": "not a phone"}})
    assert r.status_code == 400 and "sms" in r.json()["detail"]
    r = c.put("/api/family/preferences", json={"name": "阿明", "addresses": {"fax": "123"}})
    assert r.status_code == 400 and "fax" in r.json()["detail"]
    r = c.put("/api/family/preferences", json={"name": "阿明", "addresses": {}})
    assert r.status_code == 400 and "at least one" in r.json()["detail"]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_preferences_are_my_own_contact_and_i_see_the_order(fam: Family) -> None:
    esc = EscalationStore(fam.store.engine, schema=fam.store.schema)
    brother = Contact("h1-son", "岩罕", EscRole.FAMILY, "h1", addresses={"sms": "+8613800000000"})
    centre = Contact(
        "c1-centre", "嘎兰呼叫中心", EscRole.CALL_CENTRE, "c1", addresses={"webhook": "x"}
    )
    esc.save_contact(brother.contact_id, "h1", brother.to_json())
    esc.save_contact(centre.contact_id, "c1", centre.to_json())
    c = client_as(fam, "famA")
    body = {
        "name": "玉香",
        "language": "en",
        "addresses": {"sms": "+86 138 0013 8000", "email": "yu@example.com", "voice": ""},
        "preferred": ["sms"],
        "quiet": {"start": "22:00", "end": "07:00"},
    }
    no_csrf = c.headers.pop("X-CSRF-Token")
    assert c.put("/api/family/preferences", json=body).status_code == 403
    c.headers["X-CSRF-Token"] = no_csrf
    r = c.put("/api/family/preferences", json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["addresses"] == {"sms": "+86 138 0013 8000", "email": "yu@example.com"}
    assert out["quiet"] == {"start": "22:00", "end": "07:00"} and out["language"] == "en"
    first = out["order"][0]["steps"][0]
    assert {(p["name"], p["you"]) for p in first["people"]} == {
        ("岩罕", False), ("玉香", True), ("嘎兰呼叫中心", False),
    }  # fmt: skip
    mine = [x for x in esc.contacts(["h1"]) if x["name"] == "玉香"]
    assert (
        len(mine) == 1
        and mine[0]["preferred"] == ["sms"]
        and mine[0]["quiet"] == ["22:00", "07:00"]
    )
    son = next(x for x in esc.contacts(["h1"]) if x["contact_id"] == "h1-son")
    assert son["addresses"] == {"sms": "+8613800000000"}  # others' entries untouched
    # the language setting follows: the page now speaks English by default
    assert 'lang="en"' in c.get("/family").text
    assert "sms" not in str(c.get("/api/family/preferences").json()["order"])  # no addresses
    assert client_as(fam, "op1").get("/api/family/preferences").status_code == 403


def test_bearer_tokens_work_without_csrf(fam: Family) -> None:
    c = TestClient(fam.app)
    client_as(fam, "famA")
    headers = token_for(fam.app, "famA")
    body = {"name": "玉香", "addresses": {"webhook": "https://example.com/hook"}}
    assert c.put("/api/family/preferences", json=body, headers=headers).status_code == 200
    assert c.get("/api/family/relatives/r1/summary", headers=headers).status_code == 200


def test_page_renders_in_chinese_by_default_and_english_on_request(fam: Family) -> None:
    c = client_as(fam, "famA")
    zh = c.get("/family")
    assert zh.status_code == 200 and '<html lang="zh-CN">' in zh.text and "通知设置" in zh.text
    assert 'name="csrf-token" content="' in zh.text and 'content=""' not in zh.text
    en = c.get("/family?lang=en")
    assert '<html lang="en">' in en.text and "Notifications" in en.text
    assert client_as(fam, "maker").get("/family").status_code == 403


def test_every_word_exists_in_both_languages() -> None:
    from domain.summary import Status
    from web.i18n_family import PHRASES, ROOMS, STRINGS

    assert set(STRINGS["zh"]) == set(STRINGS["en"])
    assert set(PHRASES["zh"]) == set(PHRASES["en"]) and set(ROOMS["zh"]) == set(ROOMS["en"])
    assert {f"status.{s.value}" for s in Status} <= set(STRINGS["zh"])


def test_two_relatives_two_contact_entries_and_staff_support_view(fam: Family) -> None:
    add_user(fam.app, Role.FAMILY, username="twice", residents=["r1", "r2"])
    c = client_as(fam, "twice")
    rel = [r["resident_id"] for r in c.get("/api/family/relatives").json()["relatives"]]
    assert rel == ["r1", "r2"]
    assert c.get("/api/family/relatives/r2/summary").status_code == 200
    body = {"name": "阿明", "addresses": {"voice": "+86 871 6000 0000"}}
    out = c.put("/api/family/preferences", json=body).json()
    assert [o["resident_id"] for o in out["order"]] == ["r1", "r2"]
    esc = EscalationStore(fam.store.engine, schema=fam.store.schema)
    mine = [x for x in esc.contacts(["h1", "h2"]) if x["name"] == "阿明"]
    assert sorted(x["scope"] for x in mine) == ["h1", "h2"]
    staff = client_as(fam, "op1").get("/family?resident=r1")
    assert staff.status_code == 200 and 'data-resident="r1"' in staff.text
    assert 'id="prefs"' not in staff.text  # staff see the family's view, not their settings
