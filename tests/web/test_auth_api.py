"""Log in and out through the API, /api/me, API tokens of one's own."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi.testclient import TestClient

from domain.access import Role
from tests.web.auth_support import PASSWORD, add_user, login, token_for
from tests.web.conftest import Board


def test_login_me_logout(board: Board, client: TestClient) -> None:
    assert client.get("/api/me").status_code == 401
    name = add_user(board.app, Role.OPERATOR, communities=["jinghong-01"])
    csrf = login(client, name)
    me = client.get("/api/me").json()
    assert me["username"] == name and me["role"] == "operator"
    assert me["communities"] == ["jinghong-01"] and me["csrf_token"] == csrf
    cookie = client.cookies.get("anju_session")
    assert cookie
    assert client.post("/api/auth/logout").json()["logged_out"] is True
    client.cookies.set("anju_session", cookie)  # the old cookie is dead on the server
    assert client.get("/api/me").status_code == 401


def test_wrong_password_is_401_with_a_message(board: Board, client: TestClient) -> None:
    name = add_user(board.app, Role.ADMIN)
    r = client.post("/api/auth/login", json={"username": name, "password": "not-" + PASSWORD})
    assert r.status_code == 401 and "wrong user name or password" in r.text
    r = client.post("/api/auth/login", json={"username": "", "password": "x"})
    assert r.status_code == 422 and "username" in r.text


def test_tokens_issue_list_revoke(board: Board, client: TestClient) -> None:
    name = add_user(board.app, Role.INTEGRATOR, models=["acme-pir"])
    login(client, name)
    issued = client.post("/api/auth/token", json={"name": "ci pipeline"})
    assert issued.status_code == 201, issued.text
    token, token_id = issued.json()["token"], issued.json()["token_id"]
    bearer = TestClient(board.app)
    auth = {"Authorization": f"Bearer {token}"}
    assert bearer.get("/api/me", headers=auth).json()["username"] == name
    listed = client.get("/api/auth/token").json()["tokens"]
    assert [t["name"] for t in listed] == ["ci pipeline"] and "token" not in listed[0]
    assert client.delete(f"/api/auth/token/{token_id}").status_code == 200
    assert bearer.get("/api/me", headers=auth).status_code == 401
    assert client.delete(f"/api/auth/token/{token_id}").status_code == 404
    other = token_for(board.app, name)
    assert bearer.get("/api/me", headers=other).status_code == 200
    assert bearer.get("/api/me", headers={"Authorization": "Basic x"}).status_code == 401


def test_feed_filter_keeps_resync_and_drops_events_of_unknown_homes() -> None:
    from alerts.feed import FeedEvent
    from domain.access import HomeScope
    from web.routes.live import visible

    def event(kind: str, data: Mapping[str, object]) -> FeedEvent:
        return FeedEvent(1, kind, data, "{}", 0.0)

    op = HomeScope(communities=frozenset({"c1"}))
    mine = {"alarm": {"home_id": "h1", "home": {"community_id": "c1"}}}
    other = {"alarm": {"home_id": "h9", "home": {"community_id": "c2"}}}
    homeless = {"alarm": {"home_id": "h7", "home": None}}  # a home Anju does not know
    assert visible(event("alarm", mine), op) and not visible(event("alarm", other), op)
    assert not visible(event("alarm", homeless), op)
    assert visible(event("alarm", homeless), HomeScope(all=True))
    assert visible(event("resync", {}), op)
    assert not visible(event("checkin", {}), op)  # no home named: nobody but the admin
    assert visible(event("checkin", {"home_id": "h1", "community_id": "c1"}), op)
