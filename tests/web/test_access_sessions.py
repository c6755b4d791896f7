"""Sessions, tokens, CSRF, throttling, password storage and bad input (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.auth_support import PASSWORD, World, world


@pytest.fixture(params=["sqlite", "postgresql"])
def w(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    with world(request.param, tmp_path) as built:
        yield built


def user_id(w: World, username: str) -> str:
    user = w.app.state.ctx.auth.users.by_username(username)
    assert user is not None
    return str(user.user_id)


def test_a_disabled_users_session_and_token_stop_at_once(w: World) -> None:
    op1, bearer = w.client("op1"), w.bearer("op1")
    anonymous = w.client()
    assert op1.get("/api/alarms").status_code == 200
    assert anonymous.get("/api/alarms", headers=bearer).status_code == 200
    admin = w.client("admin")
    r = admin.patch(f"/api/users/{user_id(w, 'op1')}", json={"disabled": True})
    assert r.status_code == 200 and r.json()["disabled"] is True
    assert op1.get("/api/alarms").status_code == 401  # the very next request
    assert anonymous.get("/api/alarms", headers=bearer).status_code == 401
    r = anonymous.post("/api/auth/login", json={"username": "op1", "password": PASSWORD})
    assert r.status_code == 401
    admin.patch(f"/api/users/{user_id(w, 'op1')}", json={"disabled": False})
    assert op1.get("/api/alarms").status_code == 401  # the old session stays ended
    assert anonymous.get("/api/alarms", headers=bearer).status_code == 200  # tokens live on


def test_a_logged_out_session_is_dead_even_with_the_old_cookie(w: World) -> None:
    fam = w.client("famA")
    cookie = fam.cookies.get("anju_session")
    assert cookie and fam.post("/api/auth/logout").status_code == 200
    replay = w.client()
    replay.cookies.set("anju_session", cookie)
    assert replay.get("/api/alarms").status_code == 401
    page = replay.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")


def test_a_revoked_token_is_dead(w: World) -> None:
    integ = w.client("integ")
    issued = integ.post("/api/auth/token", json={"name": "factory line 3"}).json()
    bearer = {"Authorization": f"Bearer {issued['token']}"}
    other = w.client()
    assert other.get("/api/me", headers=bearer).json()["username"] == "integ"
    assert integ.delete(f"/api/auth/token/{issued['token_id']}").status_code == 200
    r = other.get("/api/me", headers=bearer)
    assert r.status_code == 401 and "revoked" in r.json()["detail"]
    family = w.client("famA")  # nobody revokes someone else's token
    assert family.delete(f"/api/auth/token/{issued['token_id']}").status_code == 404


def test_csrf_is_needed_on_cookie_posts_not_on_bearer_posts(w: World) -> None:
    op1 = w.client("op1")
    token = op1.headers.pop("X-CSRF-Token")
    url = f"/api/alarms/{w.alarm['h1']}/accept"
    r = op1.post(url, json={})
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    assert op1.post(url, json={}, headers={"X-CSRF-Token": "wrong"}).status_code == 403
    assert op1.post("/api/auth/logout").status_code == 403  # logging out is a change too
    assert op1.post(url, json={}, headers={"X-CSRF-Token": token}).status_code == 200
    bearer = w.bearer("op1")
    r = w.client().post(f"/api/alarms/{w.alarm['h2']}/accept", json={}, headers=bearer)
    assert r.status_code == 200, r.text
    # a page form sends the token as a field
    assert op1.post("/logout", data={"csrf_token": "nope"}).status_code == 403
    out = op1.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303 and op1.get("/api/me").status_code == 401


def test_the_login_form_signs_in_and_goes_back_where_it_was(w: World) -> None:
    browser = w.client()
    page = browser.get("/login", params={"next": "/?lang=en"})
    assert page.status_code == 200 and "登录安居" in page.text and 'lang="zh-CN"' in page.text
    assert "Log in to Anju" in browser.get("/login", params={"lang": "en"}).text
    field = 'name="csrf_token" value="'
    csrf = page.text.split(field, 1)[1].split('"', 1)[0]
    form = {"username": "op1", "password": PASSWORD, "csrf_token": csrf, "next": "/?lang=en"}
    bad = browser.post("/login", data={**form, "csrf_token": "x"})
    assert bad.status_code == 403 and "页面已过期" in bad.text
    wrong = browser.post("/login", data={**form, "password": "nope-nope-nope"})
    assert wrong.status_code == 401 and "用户名或密码不正确" in wrong.text
    ok = browser.post("/login", data=form, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/?lang=en"
    cookie = ok.headers["set-cookie"]
    assert "anju_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    board = browser.get("/", params={"lang": "en"})
    assert board.status_code == 200 and "Operator board" in board.text
    again = browser.get("/login").text.split(field, 1)[1].split('"', 1)[0]
    offsite = {**form, "csrf_token": again, "next": "//evil.example/x"}
    r = browser.post("/login", data=offsite, follow_redirects=False)
    assert r.headers["location"] == "/"  # only paths of this site follow a log-in


def test_login_throttling_answers_429_for_a_while(w: World) -> None:
    client = w.client()
    wrong = {"username": "op2", "password": "not-the-password"}
    for _ in range(5):
        assert client.post("/api/auth/login", json=wrong).status_code == 401
    right = {"username": "op2", "password": PASSWORD}
    r = client.post("/api/auth/login", json=right)
    assert r.status_code == 429 and "too many failed log-ins" in r.json()["detail"]
    assert 0 < int(r.headers["Retry-After"]) <= 901
    w.clock.advance(901)
    assert client.post("/api/auth/login", json=right).status_code == 200


def test_passwords_are_stored_as_argon2id_hashes(w: World) -> None:
    admin = w.client("admin")
    r = admin.post(
        "/api/users",
        json={
            "username": "op9",
            "password": "Sunny-Day-42",
            "role": "operator",
            "communities": ["c2"],
        },
    )
    assert r.status_code == 201, r.text
    assert "password" not in r.text and "argon2" not in r.text
    found = w.app.state.ctx.auth.users.credentials("op9")
    assert found is not None
    stored = found[1]
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$") and "Sunny-Day-42" not in stored
    login = {"username": "op9", "password": "Sunny-Day-42"}
    assert w.client().post("/api/auth/login", json=login).status_code == 200


def test_bad_input_gets_a_4xx_with_a_message(w: World) -> None:
    admin = w.client("admin")
    uid = user_id(w, "famA")
    cases = [
        (
            admin.post(
                "/api/users", json={"username": "x", "password": PASSWORD, "role": "family"}
            ),
            422,
            "username",
        ),
        (
            admin.post(
                "/api/users", json={"username": "new1", "password": "short", "role": "admin"}
            ),
            400,
            "at least 10",
        ),
        (
            admin.post(
                "/api/users", json={"username": "op1", "password": PASSWORD, "role": "operator"}
            ),
            409,
            "exists",
        ),
        (
            admin.post("/api/users", json={"username": "n2", "password": PASSWORD, "role": "boss"}),
            422,
            "role",
        ),
        (
            admin.post(
                "/api/users",
                json={
                    "username": "n3",
                    "password": PASSWORD,
                    "role": "family",
                    "communities": ["c1"],
                },
            ),
            400,
            "not for the role",
        ),
        (admin.patch(f"/api/users/{uid}", json={"models": ["m1"]}), 400, "not for the role"),
        (admin.patch(f"/api/users/{'0' * 32}", json={"disabled": True}), 404, "no user"),
        (admin.patch("/api/users/nope", json={}), 422, "user_id"),
        (
            admin.patch(f"/api/users/{user_id(w, 'admin')}", json={"disabled": True}),
            409,
            "cannot disable yourself",
        ),
        (admin.post(f"/api/users/{uid}/password", json={"password": "x"}), 400, "at least 10"),
        (admin.get("/api/audit", params={"limit": 0}), 422, "limit"),
        (admin.get("/api/audit", params={"kind": "DROP TABLE"}), 422, "kind"),
        (admin.post("/api/auth/login", json={"username": "a"}), 422, "password"),
        (admin.post("/api/auth/token", json={"name": ""}), 422, "name"),
        (admin.delete("/api/auth/token/xyz"), 422, "token_id"),
        (w.client().get("/api/me", headers={"Authorization": "Bearer"}), 401, "Bearer"),
    ]
    for response, status, words in cases:
        assert response.status_code == status, response.text
        assert words in response.text, response.text


def test_admin_resets_a_password_and_changes_a_scope(w: World) -> None:
    fam = w.client("famA")
    admin = w.client("admin")
    uid = user_id(w, "famA")
    r = admin.patch(f"/api/users/{uid}", json={"residents": ["r1", "r2"]})
    assert r.status_code == 200 and r.json()["residents"] == ["r1", "r2"]
    assert {a["home_id"] for a in fam.get("/api/alarms").json()["alarms"]} == {"h1", "h2"}
    r = admin.post(f"/api/users/{uid}/password", json={"password": "New-Password-7"})
    assert r.status_code == 200
    assert fam.get("/api/alarms").status_code == 401  # a reset ends the sessions
    again = w.client()
    login = {"username": "famA", "password": "New-Password-7"}
    assert again.post("/api/auth/login", json=login).status_code == 200
    users = admin.get("/api/users", params={"role": "family"}).json()["users"]
    assert sorted(u["username"] for u in users) == ["famA", "famB"]
    assert w.client("op1").get("/api/users").status_code == 403
