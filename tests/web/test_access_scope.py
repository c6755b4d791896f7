"""Each boundary of who sees what, proven through the API on SQLite and PostgreSQL:
family A cannot read family B's relative; an operator of c1 cannot see c2; an integrator sees
no personal data. A hidden thing answers exactly like a missing one (404), never 403."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.auth_support import World, world


@pytest.fixture(params=["sqlite", "postgresql"])
def w(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    with world(request.param, tmp_path) as built:
        yield built


def listed_homes(w: World, username: str) -> set[str]:
    r = w.client(username).get("/api/alarms")
    assert r.status_code == 200, r.text
    return {a["home_id"] for a in r.json()["alarms"]}


def test_everyone_must_sign_in_except_health_metrics_and_login(w: World) -> None:
    anonymous = w.client()
    for path in (
        "/api/alarms",
        f"/api/alarms/{w.alarm['h1']}",
        "/api/kpi",
        "/api/me",
        "/api/users",
        "/api/audit",
        "/api/feed",
        "/api/homes",
    ):
        r = anonymous.get(path)
        assert r.status_code == 401, (path, r.status_code)
        assert "not signed in" in r.json()["detail"]
    r = anonymous.post(f"/api/alarms/{w.alarm['h1']}/accept", json={})
    assert r.status_code == 401
    page = anonymous.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/"
    assert anonymous.get("/healthz").status_code == 200
    assert anonymous.get("/metrics").status_code == 200
    assert anonymous.get("/login").status_code == 200


def test_family_a_cannot_read_family_b_relative(w: World) -> None:
    fam_a = w.client("famA")
    assert listed_homes(w, "famA") == {"h1"}
    assert listed_homes(w, "famB") == {"h2"}
    hidden, missing = w.alarm["h2"], "a" * 32
    for alarm_id in (hidden, missing):  # a hidden alarm looks exactly like a missing one
        r = fam_a.get(f"/api/alarms/{alarm_id}")
        assert (r.status_code, r.json()["detail"]) == (404, f"no alarm {alarm_id}")
        r = fam_a.post(f"/api/alarms/{alarm_id}/accept", json={})
        assert (r.status_code, r.json()["detail"]) == (404, f"no alarm {alarm_id}")
    assert fam_a.get(f"/api/alarms/{w.alarm['h1']}").status_code == 200
    for path in (
        "/api/homes/h2",
        "/api/homes/h2/readings",
        "/api/homes/h2/activity",
        "/api/residents/r2",
        f"/api/alarms/{hidden}/escalation",
    ):
        assert fam_a.get(path).status_code == 404, path
    homes = fam_a.get("/api/homes")
    if homes.status_code == 200:
        assert "h2" not in homes.text and "玉香" not in homes.text
    else:
        assert homes.status_code == 403
    assert fam_a.get("/api/kpi").status_code == 403
    stored = w.store.get_alarm(hidden)
    assert stored is not None and stored.state.value == "raised"  # untouched


def test_family_may_accept_their_own_relatives_alarm(w: World) -> None:
    r = w.client("famA").post(f"/api/alarms/{w.alarm['h1']}/accept", json={})
    assert r.status_code == 200 and r.json()["history"][-1]["actor"] == "user:famA"


def test_operator_of_c1_cannot_see_c2(w: World) -> None:
    assert listed_homes(w, "op1") == {"h1", "h2"}
    assert listed_homes(w, "op2") == {"h3"}
    assert listed_homes(w, "admin") == {"h1", "h2", "h3"}
    op1 = w.client("op1")
    assert op1.get(f"/api/alarms/{w.alarm['h3']}").status_code == 404
    assert op1.post(f"/api/alarms/{w.alarm['h3']}/accept", json={}).status_code == 404
    assert op1.get("/api/homes/h3").status_code == 404
    assert op1.get("/api/residents/r3").status_code == 404
    kpi = op1.get("/api/kpi").json()
    assert set(kpi["by_community"]) == {"c1"}
    assert set(w.client("admin").get("/api/kpi").json()["by_community"]) == {"c1", "c2"}
    accepted = op1.post(f"/api/alarms/{w.alarm['h2']}/accept", json={})
    assert accepted.status_code == 200


def test_an_operator_cannot_act_as_someone_else(w: World) -> None:
    op1 = w.client("op1")
    r = op1.post(f"/api/alarms/{w.alarm['h1']}/accept", json={"actor": "user:op2"})
    assert r.status_code == 400 and "signed-in user (user:op1)" in r.json()["detail"]


def test_integrator_sees_no_personal_data(w: World) -> None:
    integ = w.client("integ")
    assert integ.get("/api/alarms").json() == {"alarms": [], "next": None}
    assert integ.get(f"/api/alarms/{w.alarm['h1']}").status_code == 404
    assert integ.post(f"/api/alarms/{w.alarm['h1']}/accept", json={}).status_code == 404
    assert integ.get("/api/homes/h1").status_code in (403, 404)
    assert integ.get("/api/residents/r1").status_code in (403, 404)
    assert integ.get("/api/kpi").status_code == 403
    assert integ.get("/api/users").status_code == 403
    assert integ.get("/api/audit").status_code == 403
    assert integ.get("/", follow_redirects=False).status_code == 403
    homes = integ.get("/api/homes")
    assert homes.status_code == 403 or "岩温" not in homes.text
