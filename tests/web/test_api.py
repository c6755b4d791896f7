from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from domain.access import Role
from domain.alarms import Detection, Severity
from tests.web.auth_support import add_user, login
from tests.web.conftest import Board


@pytest.fixture(autouse=True)
def signed_in(board: Board, client: TestClient) -> None:
    """Every test here starts signed in as an admin (sees every home, even unknown ones)."""
    login(client, add_user(board.app, Role.ADMIN, username="admin1"))


def as_operator(board: Board, client: TestClient, name: str) -> None:
    add_user(board.app, Role.OPERATOR, username=name, communities=["jinghong-01"])
    login(client, name)


def raise_sos(board: Board, home: str = "h1", seq: int = 1) -> str:
    detection = Detection(
        home, "sos", Severity.CRITICAL, 1, "btn1", {"room": "bedroom", "seq": seq}
    )
    return board.alarms.on_detection(detection).alarm_id


def test_list_shows_open_alarms_newest_first(board: Board, client: TestClient) -> None:
    """Newest first (raised_ms desc, then id desc: the order the pages follow); the board puts
    critical ones first itself."""
    minor = board.alarms.on_detection(Detection("h1", "wellness", Severity.MINOR, 1)).alarm_id
    older = raise_sos(board, "h2")
    newer = raise_sos(board, "h1")
    body = client.get("/api/alarms", params={"open": "true"}).json()
    assert {a["id"] for a in body["alarms"]} == {newer, older, minor} and body["next"] is None
    keys = [(a["raised_ms"], a["id"]) for a in body["alarms"]]
    assert keys == sorted(keys, reverse=True)
    first = body["alarms"][0]
    assert first["home"]["address"] == "景洪市嘎兰中路 8 号"
    assert first["home"]["residents"] == ["岩温"]
    assert first["evidence"]["room"] == "bedroom"
    assert client.get(f"/api/alarms/{newer}").json()["id"] == newer


def test_accept_then_resolve_through_the_api(board: Board, client: TestClient) -> None:
    alarm_id = raise_sos(board)
    as_operator(board, client, "op7")
    r = client.post(f"/api/alarms/{alarm_id}/accept", json={"note": "打电话"})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "accepted"
    assert r.json()["history"][-1]["actor"] == "user:op7"
    as_operator(board, client, "op8")
    again = client.post(f"/api/alarms/{alarm_id}/accept", json={})
    assert again.status_code == 409
    assert "already accepted by user:op7" in again.json()["detail"]
    login(client, "op7")
    done = client.post(
        f"/api/alarms/{alarm_id}/resolve", json={"actor": "user:op7", "outcome": "visit"}
    )
    assert done.status_code == 200 and done.json()["open"] is False
    assert client.get("/api/alarms", params={"open": "true"}).json()["alarms"] == []
    stored = board.store.get_alarm(alarm_id)
    assert stored is not None and [c.state.value for c in stored.history] == [
        "raised",
        "accepted",
        "resolved",
    ]


def test_bad_input_gets_a_4xx_with_a_message(board: Board, client: TestClient) -> None:
    alarm_id = raise_sos(board)
    cases = [
        (client.post("/api/alarms/nope/accept", json={}), 404, "no alarm nope"),
        (client.get("/api/alarms/nope"), 404, "no alarm"),
        (client.post(f"/api/alarms/{alarm_id}/accept", json={"actor": "x"}), 400, "actor"),
        (client.post(f"/api/alarms/{alarm_id}/accept", json={"actor": ""}), 422, "actor"),
        (
            client.post(
                f"/api/alarms/{alarm_id}/accept",
                content=b"{not json",
                headers={"Content-Type": "application/json"},
            ),
            422,
            "JSON decode error",
        ),
        (client.post(f"/api/alarms/{alarm_id}/accept", json={"x": 1}), 422, "x"),
        (client.post("/api/alarms/bad%20id!/accept", json={}), 422, "alarm_id"),
        (
            client.post(f"/api/alarms/{alarm_id}/resolve", json={"outcome": "?"}),
            422,
            "outcome",
        ),
        (client.get("/api/alarms", params={"limit": 0}), 422, "limit"),
        (client.get("/api/alarms", params={"limit": 201}), 422, "limit"),
        (client.get("/api/alarms", params={"cursor": "x"}), 400, "cursor"),
        (client.get("/api/alarms", params={"open": "maybe"}), 422, "open"),
    ]
    for response, status, words in cases:
        assert response.status_code == status, response.text
        assert words in response.text
    assert board.store.get_alarm(alarm_id) is not None


def test_healthz_reports_each_check(board: Board, client: TestClient) -> None:
    ok = client.get("/healthz")
    assert ok.status_code == 200
    assert ok.json() == {"status": "ok", "checks": {"state_store": "ok", "broker": "ok"}}
    board.healthy["broker"] = False
    bad = client.get("/healthz")
    assert bad.status_code == 503 and bad.json()["checks"]["broker"] == "failing"


def test_metrics_exposes_open_alarms(board: Board, client: TestClient) -> None:
    raise_sos(board)
    text = client.get("/metrics").text
    assert 'anju_alarms_open{severity="critical"} 1.0' in text
    assert "anju_alarm_handle_seconds_bucket" in text


def test_board_page_is_chinese_by_default_and_english_on_request(client: TestClient) -> None:
    zh = client.get("/")
    assert zh.status_code == 200
    assert '<html lang="zh-CN">' in zh.text and "值班台" in zh.text
    en = client.get("/", params={"lang": "en"})
    assert '<html lang="en">' in en.text and "Operator board" in en.text
    assert client.get("/static/board.js").status_code == 200
