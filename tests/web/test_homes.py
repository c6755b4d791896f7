"""The homes and residents API on a real SQLite state store and time-series store: scoping is in
the query (an operator sees only their communities, a family member only their relative's home),
every personal read is audited, bad input is a 4xx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from alerts.escalation.contacts import Contact
from alerts.escalation.policy import Role as EscRole
from domain.access import Role
from domain.alarms import Detection, Severity
from domain.clock import now_ms
from domain.model import Device, DeviceKind, Home, Resident, Room
from domain.points import Point
from domain.record import FamilyMember, ResidentRecord, SelfCare
from stores.state.audit import AuditQuery
from stores.state.escalation import EscalationStore
from stores.state.records import BoardStore
from stores.timeseries.sqlite import SqliteTimeSeries
from tests.web.auth_support import add_user, login
from tests.web.conftest import Board

HOME_LAT, HOME_LON = 22.0070, 100.7980


@pytest.fixture
def seeded(board: Board, tmp_path: Path) -> Iterator[Board]:
    s = board.store
    s.upsert_home(Home("h1", "c1", "景洪市嘎兰中路 8 号", HOME_LAT, HOME_LON))
    s.upsert_home(Home("h2", "c2", "勐海县象山镇 3 号"))
    s.upsert_resident(Resident("r1", "h1", "岩温", birth_year=1940, risk=["dementia"]))
    s.upsert_resident(Resident("r2", "h2", "玉罕", birth_year=1950))
    s.upsert_device(Device("h1-pir", "h1", DeviceKind.MOTION, "pir-1", Room.BEDROOM))
    s.upsert_device(Device("h1-door", "h1", DeviceKind.DOOR, "door-1", Room.ENTRANCE))
    s.upsert_device(Device("h1-pend", "h1", DeviceKind.PENDANT, "pendant-1"))
    BoardStore(s.engine).save_record(
        ResidentRecord("r1", family=(FamilyMember("玉香", "女儿", "13800000000"),),
                       conditions=("高血压",), self_care=SelfCare.PARTLY, medication=("氨氯地平",))
    )  # fmt: skip
    esc = EscalationStore(s.engine)
    for contact in (
        Contact("c1-120", "120", EscRole.EMERGENCY, "c1", addresses={"voice": "120"}),
        Contact("c1-centre", "呼叫中心", EscRole.CALL_CENTRE, "c1", addresses={"sms": "1"}),
        Contact("h1-family", "玉香", EscRole.FAMILY, "h1", addresses={"sms": "138"}),
        Contact("c1-sup", "主管", EscRole.SUPERVISOR, "c1", addresses={"sms": "2"}),
    ):
        esc.save_contact(contact.contact_id, contact.scope, contact.to_json())
    ts = SqliteTimeSeries(tmp_path / "ts.db")
    now = now_ms(board.alarms.clock)
    ts.write(
        [
            Point(now - 3_600_000, "h1", "h1-pir", 1, "event", {"type": "motion", "state": True}),
            Point(now - 3_500_000, "h1", "h1-pir", 2, "event", {"type": "motion", "state": False}),
            Point(now - 600_000, "h1", "h1-door", 1, "event", {"type": "door", "state": "open"}),
            Point(now - 500_000, "h1", "h1-pend", 1, "status", {"battery": 64.0}),
            Point(now - 400_000, "h1", "h1-pend", 2, "reading",
                  {"lat": HOME_LAT + 0.01, "lon": HOME_LON, "heart_rate": 80.0}),
        ]
    )  # fmt: skip
    board.app.state.timeseries = ts
    yield board
    ts.close()


@pytest.fixture
def op(seeded: Board, client: TestClient) -> TestClient:
    login(client, add_user(seeded.store, Role.OPERATOR, username="op1", communities=["c1"]))
    return client


def test_not_signed_in_is_401(seeded: Board, client: TestClient) -> None:
    for path in ("/api/homes", "/api/homes/h1", "/api/residents/r1", "/api/checkins"):
        assert client.get(path).status_code == 401, path


def test_an_operator_sees_only_their_communities(seeded: Board, op: TestClient) -> None:
    body = op.get("/api/homes").json()
    assert body["total"] == 1 and [h["home_id"] for h in body["homes"]] == ["h1"]
    assert body["homes"][0]["residents"] == [{"resident_id": "r1", "name": "岩温"}]
    assert op.get("/api/homes/h2").status_code == 404
    assert op.get("/api/residents/r2").status_code == 404
    assert op.get("/api/homes/h2/activity").status_code == 404
    assert op.get("/api/homes", params={"q": "玉罕"}).json()["total"] == 0


def test_a_family_member_sees_only_the_relatives_home(seeded: Board, client: TestClient) -> None:
    login(client, add_user(seeded.store, Role.FAMILY, residents=["r2"]))
    assert [h["home_id"] for h in client.get("/api/homes").json()["homes"]] == ["h2"]
    assert client.get("/api/homes/h1").status_code == 404
    assert client.get("/api/residents/r2").status_code == 200
    assert client.put("/api/residents/r2/record", json={}).status_code == 403


def test_home_detail_has_record_contacts_in_order_devices_and_location(
    seeded: Board, op: TestClient
) -> None:
    seeded.alarms.on_detection(Detection("h1", "sos", Severity.CRITICAL, 1, "h1-pend"))
    d = op.get("/api/homes/h1").json()
    assert d["tile"] == "alarm" and d["alarms"][0]["type"] == "sos"
    r = d["residents"][0]
    assert r["record"]["conditions"] == ["高血压"] and r["record"]["self_care"] == "partly"
    assert r["record"]["family"][0]["relation"] == "女儿"
    # critical policy (dementia uses the default critical one): family+centre, supervisor, 120
    assert [c["contact_id"] for c in d["contacts"]] == [
        "h1-family",
        "c1-centre",
        "c1-sup",
        "c1-120",
    ]
    devices = {x["device_id"]: x for x in d["devices"]}
    assert devices["h1-pend"]["battery"] == 64.0 and devices["h1-pend"]["last_seen_ms"] > 0
    assert devices["h1-pir"]["battery"] is None
    assert d["location"]["source"] == "pendant" and d["location"]["out"] is True  # ~1.1 km away
    assert "openstreetmap.org" in d["map_url"]


def test_personal_reads_are_audited(seeded: Board, op: TestClient) -> None:
    op.get("/api/homes/h1")
    op.get("/api/residents/r1")
    op.get("/api/homes")
    audit = seeded.app.state.ctx.auth.audit
    events = audit.search(AuditQuery(actor="op1", action="read"))
    kinds = [(e.kind, e.subject_ids, e.path) for e in events]
    assert ("home", ("h1",), "/api/homes/h1") in kinds
    assert ("resident", ("r1",), "/api/residents/r1") in kinds
    assert ("home", ("h1",), "/api/homes") in kinds


def test_activity_lanes_per_room(seeded: Board, op: TestClient) -> None:
    a = op.get("/api/homes/h1/activity", params={"hours": 6}).json()
    lanes = {(x["room"], x["kind"]): sum(x["counts"]) for x in a["lanes"]}
    assert lanes == {("bedroom", "motion"): 1, ("entrance", "door"): 1}
    assert a["bucket_ms"] == 5 * 60_000 and len(a["lanes"][0]["counts"]) == 72


def test_readings_are_filtered_and_paged(seeded: Board, op: TestClient) -> None:
    page = op.get("/api/homes/h1/readings", params={"limit": 2}).json()
    assert len(page["readings"]) == 2 and page["more"] is True
    rest = op.get("/api/homes/h1/readings", params={"limit": 2, "offset": 4}).json()
    assert len(rest["readings"]) == 1 and rest["more"] is False
    only = op.get(
        "/api/homes/h1/readings", params={"device_id": "h1-pend", "measurement": "status"}
    )
    assert [p["fields"] for p in only.json()["readings"]] == [{"battery": 64.0}]


BAD = [
    "/api/homes?tile=bogus",
    "/api/homes?limit=0",
    "/api/homes?limit=100000",
    "/api/homes?offset=-1",
    "/api/homes/h1/activity?hours=0",
    "/api/homes/h1/activity?hours=1000",
    "/api/homes/h1/readings?measurement=nope",
    "/api/homes/h1/readings?start_ms=10&end_ms=5",
    "/api/homes/bad%20id",
]


def test_bad_input_is_a_4xx(seeded: Board, op: TestClient) -> None:
    for path in BAD:
        r = op.get(path)
        assert r.status_code in (400, 404, 422), (path, r.status_code)
        assert "detail" in r.json()


def test_record_is_written_by_operators_and_validated(seeded: Board, op: TestClient) -> None:
    body = {"household": "alone", "self_care": "dependent", "medication": ["二甲双胍 0.5g"],
            "family": [{"name": "岩罕", "relation": "儿子", "phone": "+86 139"}]}  # fmt: skip
    r = op.put("/api/residents/r1/record", json=body)
    assert r.status_code == 200 and r.json()["updated_by"] == "user:op1"
    got = op.get("/api/residents/r1").json()["resident"]["record"]
    assert got["self_care"] == "dependent" and got["family"][0]["name"] == "岩罕"
    assert op.put("/api/residents/r1/record", json={"self_care": "x"}).status_code == 422
    assert op.put("/api/residents/r1/record", json={"nope": 1}).status_code == 422
    assert op.put("/api/residents/r2/record", json={}).status_code == 404


def test_two_edits_from_the_same_version_the_second_is_refused(
    seeded: Board, op: TestClient
) -> None:
    base = op.get("/api/residents/r1").json()["resident"]["record"]["updated_ms"]
    first = op.put("/api/residents/r1/record", json={"conditions": ["高血压"], "based_on_ms": base})
    assert first.status_code == 200 and first.json()["updated_ms"] > base
    late = op.put("/api/residents/r1/record", json={"conditions": ["糖尿病"], "based_on_ms": base})
    assert late.status_code == 409 and "user:op1" in late.json()["detail"]
    got = op.get("/api/residents/r1").json()["resident"]["record"]
    assert got["conditions"] == ["高血压"]  # the first edit stands
    again = {"conditions": ["糖尿病"], "based_on_ms": first.json()["updated_ms"]}
    assert op.put("/api/residents/r1/record", json=again).status_code == 200
    assert op.put("/api/residents/r1/record", json={"conditions": []}).status_code == 200  # no base
    bad = op.put("/api/residents/r1/record", json={"based_on_ms": -1})
    assert bad.status_code == 422


def test_away_changes_the_tile(seeded: Board, op: TestClient) -> None:
    until = now_ms(seeded.alarms.clock) + 86_400_000
    assert (
        op.post("/api/homes/h1/away", json={"until_ms": until, "note": "住院"}).json()["tile"]
        == "away"
    )
    assert op.get("/api/homes", params={"tile": "away"}).json()["total"] == 1
    assert op.post("/api/homes/h1/away", json={"until_ms": 5}).status_code == 400
    assert op.post("/api/homes/h1/away", json={"until_ms": None}).json()["tile"] == "attention"


def test_the_openapi_document_types_every_board_response(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    for path, method, model in [
        ("/api/homes", "get", "HomesPage"),
        ("/api/homes/{home_id}", "get", "HomeDetail"),
        ("/api/homes/{home_id}/activity", "get", "ActivityOut"),
        ("/api/homes/{home_id}/readings", "get", "ReadingsPage"),
        ("/api/residents/{resident_id}", "get", "ResidentDetail"),
        ("/api/checkins", "get", "DuePage"),
        ("/api/checkins/coverage", "get", "CoverageReport"),
        ("/api/alarms/{alarm_id}/actions", "get", "ActionsOut"),
    ]:
        ok = doc["paths"][path][method]["responses"]["200"]["content"]["application/json"]
        assert ok["schema"]["$ref"].endswith("/" + model), path
    for path, model in [
        ("/api/checkins", "CheckinOut"),
        ("/api/alarms/{alarm_id}/calls", "CallOut"),
    ]:
        created = doc["paths"][path]["post"]["responses"]["201"]["content"]["application/json"]
        assert created["schema"]["$ref"].endswith("/" + model), path
    assert "lanes" in doc["components"]["schemas"]["ActivityOut"]["properties"]
