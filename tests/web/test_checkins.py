"""Check-ins and alarm actions over the API: due list, recording, coverage; call log and 120
dispatch with the exact location, published live; scoping and 4xx on bad input."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from domain.access import Role
from domain.alarms import Detection, Severity
from domain.checkins import month_of
from domain.clock import now_ms
from domain.model import Home, Resident
from tests.web.auth_support import add_user, login
from tests.web.conftest import Board


@pytest.fixture
def op(board: Board, client: TestClient) -> Iterator[TestClient]:
    s = board.store
    s.upsert_home(Home("h2", "c1", "嘎兰中路 9 号", 22.0, 100.8))
    s.upsert_resident(Resident("r2", "h2", "玉罕"))
    s.upsert_resident(Resident("r3", "h2", "岩罕"))
    s.upsert_home(Home("h9", "c9", "外区"))
    s.upsert_resident(Resident("r9", "h9", "别区"))
    login(client, add_user(s, Role.OPERATOR, username="op1", communities=["c1"]))
    yield client


def test_due_record_and_coverage(board: Board, op: TestClient) -> None:
    due = op.get("/api/checkins").json()
    assert due["month"] == month_of(now_ms(board.alarms.clock))
    assert [d["resident_id"] for d in due["due"]] == ["r3", "r2"]  # by name: 岩罕, 玉罕
    r = op.post("/api/checkins", json={"resident_id": "r2", "kind": "visit", "note": "血压正常"})
    assert r.status_code == 201 and r.json()["actor"] == "user:op1"
    missed = {"resident_id": "r3", "kind": "call", "result": "not_reached"}
    assert op.post("/api/checkins", json=missed).status_code == 201
    assert [d["resident_id"] for d in op.get("/api/checkins").json()["due"]] == ["r3"]
    cov = op.get("/api/checkins/coverage").json()
    assert [(c["community_id"], c["residents"], c["covered"]) for c in cov["communities"]] == [
        ("c1", 2, 1)
    ]
    assert cov["all"]["rate"] == 0.5 and cov["all"]["meets_target"] is False


def test_checkins_are_scoped_and_validated(board: Board, op: TestClient) -> None:
    assert op.post("/api/checkins", json={"resident_id": "r9", "kind": "call"}).status_code == 404
    for bad in (
        {"resident_id": "r2", "kind": "letter"},
        {"resident_id": "r2"},
        {"resident_id": "r 2", "kind": "call"},
        {"resident_id": "r2", "kind": "call", "x": 1},
    ):
        assert op.post("/api/checkins", json=bad).status_code == 422, bad
    future = now_ms(board.alarms.clock) + 86_400_000
    r = op.post("/api/checkins", json={"resident_id": "r2", "kind": "call", "at_ms": future})
    assert r.status_code == 400 and "future" in r.json()["detail"]
    assert op.get("/api/checkins", params={"month": "2026-13"}).status_code == 400
    assert op.get("/api/checkins", params={"month": "nov"}).status_code == 422
    prev = op.get("/api/checkins", params={"month": "2020-01"}).json()
    assert prev["total"] == 2


def test_family_cannot_record_checkins(board: Board, client: TestClient) -> None:
    board.store.upsert_resident(Resident("r2", "h1", "玉罕"))
    login(client, add_user(board.store, Role.FAMILY, residents=["r2"]))
    assert (
        client.post("/api/checkins", json={"resident_id": "r2", "kind": "call"}).status_code == 403
    )


def test_call_log_and_dispatch_are_live_and_take_charge(board: Board, op: TestClient) -> None:
    alarm = board.alarms.on_detection(Detection("h2", "sos", Severity.CRITICAL, 1))
    other = board.alarms.on_detection(Detection("h9", "sos", Severity.CRITICAL, 1))
    sub = board.feed.subscribe()
    call = {"callee": "family", "callee_name": "玉香", "number": "138 0000", "result": "no_answer"}
    r = op.post(f"/api/alarms/{alarm.alarm_id}/calls", json=call)
    assert r.status_code == 201 and r.json()["caller"] == "user:op1"
    event = sub.get(timeout=2)
    assert event is not None and event.data["change"] == "call"
    assert event.data["call"]["callee_name"] == "玉香"

    d = op.post(f"/api/alarms/{alarm.alarm_id}/dispatch", json={"note": "胸痛"})
    assert d.status_code == 201
    loc = d.json()["location"]
    assert (loc["source"], loc["lat"], loc["lon"]) == ("home", 22.0, 100.8)
    assert loc["address"] == "嘎兰中路 9 号" and "openstreetmap" in loc["map_url"]
    stored = board.store.get_alarm(alarm.alarm_id)
    assert stored is not None and stored.state.value == "in_progress"
    assert [c.state.value for c in stored.history][-2:] == ["accepted", "in_progress"]
    changes = []
    while (e := sub.get(timeout=0.5)) is not None:
        changes.append(e.data["change"])
    assert changes == ["accepted", "in_progress", "dispatch"]
    sub.close()

    actions = op.get(f"/api/alarms/{alarm.alarm_id}/actions").json()
    assert len(actions["calls"]) == 1 and actions["dispatches"][0]["service"] == "120"
    # someone else's community: as if it did not exist
    assert op.post(f"/api/alarms/{other.alarm_id}/calls", json=call).status_code == 404
    assert op.get(f"/api/alarms/{other.alarm_id}/actions").status_code == 404
    # bad input
    assert op.post(f"/api/alarms/{alarm.alarm_id}/calls", json={"callee": "x"}).status_code == 422
    bad_service = {"service": "999"}
    assert op.post(f"/api/alarms/{alarm.alarm_id}/dispatch", json=bad_service).status_code == 422
    assert op.post("/api/alarms/nope/dispatch", json={}).status_code == 404
    # a closed alarm is not dispatched again
    board.alarms.resolve(alarm.alarm_id, "user:op1", "ambulance")
    assert op.post(f"/api/alarms/{alarm.alarm_id}/dispatch", json={}).status_code == 409


def test_integrators_see_no_homes_and_forms_need_the_csrf_token(
    board: Board, client: TestClient
) -> None:
    login(client, add_user(board.store, Role.INTEGRATOR, models=["pir-1"]))
    for path in ("/api/homes", "/api/homes/h1", "/api/checkins", "/api/checkins/coverage"):
        assert client.get(path).status_code == 403, path
    login(client, add_user(board.store, Role.OPERATOR, communities=["jinghong-01"]))
    client.headers.pop("X-CSRF-Token")
    r = client.post("/api/checkins", json={"resident_id": "r1", "kind": "call"})
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
