"""Every read of personal data leaves an audit row; only the admin searches them; the live feed
carries only what the caller may see (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from alerts.escalation.links import LinkSigner
from broker.mosquitto import free_port
from domain.alarms import Detection, Severity
from stores.state.audit import AuditEvent, AuditQuery
from tests.web.auth_support import PASSWORD, World, world
from web.server import WebServer


@pytest.fixture(params=["sqlite", "postgresql"])
def w(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    with world(request.param, tmp_path) as built:
        yield built


def rows(w: World, **query: Any) -> list[AuditEvent]:
    events: list[AuditEvent] = w.app.state.ctx.auth.audit.search(AuditQuery(**query))
    return events


def test_every_personal_read_writes_an_audit_row(w: World) -> None:
    fam = w.client("famA")
    fam.get("/api/alarms")
    fam.get(f"/api/alarms/{w.alarm['h1']}")
    fam.get(f"/api/alarms/{w.alarm['h2']}")  # hidden: 404, nothing was read
    listed, one = rows(w, actor="famA", kind="alarm")[::-1]
    assert (listed.action, listed.subject_ids, listed.path) == (
        "read",
        (w.alarm["h1"],),
        "/api/alarms",
    )
    assert (listed.role, listed.method, listed.ip) == ("family", "GET", "testclient")
    assert listed.user_agent and listed.at_ms > 0
    assert one.subject_ids == (w.alarm["h1"],) and one.path == f"/api/alarms/{w.alarm['h1']}"
    assert rows(w, subject_id=w.alarm["h2"]) == []

    op1 = w.client("op1")
    op1.get("/api/kpi")
    assert rows(w, actor="op1", kind="kpi")[0].subject_ids == ("c1",)
    op1.post(f"/api/alarms/{w.alarm['h2']}/accept", json={"note": "called"})
    acted = rows(w, actor="op1", kind="alarm")[0]
    assert acted.subject_ids == (w.alarm["h2"],) and acted.detail == "accept"
    r = op1.get("/api/homes/h1")
    if r.status_code == 200:  # H7-board's home detail audits itself as "home"
        assert rows(w, actor="op1", subject_id="h1")


def test_logins_and_failures_are_audited(w: World) -> None:
    client = w.client()
    client.post("/api/auth/login", json={"username": "op2", "password": "wrong-password"})
    client.post("/api/auth/login", json={"username": "op2", "password": PASSWORD})
    ok, failed = rows(w, actor="op2", kind="session")[:2]
    assert (ok.action, failed.action) == ("login", "login_fail")


def test_one_tap_link_reads_are_audited_as_the_contact(w: World) -> None:
    signer = LinkSigner("s" * 32, "http://testserver")
    w.app.state.link_signer = signer
    link = signer.url(w.alarm["h1"], "fam1")
    client = w.client()  # no log-in: the SMS link is the family's credential
    page = client.get(link)
    assert page.status_code == 200 and "h1 路 1 号" in page.text
    assert client.post(link).status_code == 200
    seen = rows(w, actor="contact:fam1")
    assert [(e.role, e.kind, e.subject_ids, e.detail) for e in seen] == [
        ("link", "alarm", (w.alarm["h1"],), "one-tap link: accept"),
        ("link", "alarm", (w.alarm["h1"],), "one-tap link"),
    ]


def test_only_the_admin_searches_the_audit_log(w: World) -> None:
    w.client("famA").get("/api/alarms")
    w.client("famB").get("/api/alarms")
    for name in ("op1", "famA", "integ"):
        r = w.client(name).get("/api/audit")
        assert r.status_code == 403 and "admin" in r.json()["detail"]
    admin = w.client("admin")
    found = admin.get("/api/audit", params={"subject_id": w.alarm["h2"], "kind": "alarm"}).json()
    assert [e["actor_name"] for e in found["events"]] == ["famB"]
    by_user = admin.get("/api/audit", params={"user": "famA", "action": "read"}).json()
    assert [e["subject_ids"] for e in by_user["events"]] == [[w.alarm["h1"]]]
    page = admin.get("/api/audit", params={"limit": 2}).json()
    assert len(page["events"]) == 2 and page["next_before_id"] == page["events"][-1]["id"]
    rest = admin.get("/api/audit", params={"before_id": page["next_before_id"]}).json()
    assert all(e["id"] < page["next_before_id"] for e in rest["events"])
    future = admin.get("/api/audit", params={"since_ms": int(time.time() * 1000) + 10**7})
    assert future.json()["events"] == []
    assert rows(w, actor="admin", kind="audit")  # searching is itself audited


def read_feed(url: str, headers: dict[str, str], out: list[tuple[str, Any]]) -> None:
    with httpx.Client(timeout=10, headers=headers) as client, client.stream("GET", url) as r:
        kind = ""
        for line in r.iter_lines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                out.append((kind, json.loads(line[6:])))
                if kind == "logout" or (kind == "alarm" and out[-1][1]["alarm"]["home_id"] == "h1"):
                    return


def test_the_live_feed_carries_only_visible_homes_and_ends_when_disabled(w: World) -> None:
    server = WebServer(w.app, w.feed, port=free_port()).start()
    try:
        got: dict[str, list[tuple[str, Any]]] = {"famA": [], "op2": []}
        readers = [
            threading.Thread(target=read_feed, args=(f"{server.url}/api/feed", w.bearer(n), got[n]))
            for n in got
        ]
        for reader in readers:
            reader.start()
        deadline = time.monotonic() + 5
        while w.feed.subscriber_count < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        w.alarms.on_detection(Detection("h2", "fall", Severity.CRITICAL, 2))  # famB's, c1
        w.alarms.on_detection(Detection("h3", "fall", Severity.CRITICAL, 3))  # c2
        w.alarms.on_detection(Detection("h1", "fall", Severity.CRITICAL, 4))  # famA's, c1
        readers[0].join(5)
        assert [(k, d["alarm"]["home_id"]) for k, d in got["famA"][1:]] == [("alarm", "h1")]
        deadline = time.monotonic() + 5  # the row is written beside the event, not before
        while not rows(w, actor="famA", kind="alarm") and time.monotonic() < deadline:
            time.sleep(0.02)
        fed = rows(w, actor="famA", kind="alarm")
        assert [(e.detail, len(e.subject_ids)) for e in fed] == [("feed", 1)]
        # op2 saw h3 only; disabling op2 ends the stream within the re-check interval
        auth = w.app.state.ctx.auth
        user = auth.users.by_username("op2")
        assert user is not None
        auth.set_disabled(user.user_id, True)
        readers[1].join(5)
        assert not readers[1].is_alive()
        kinds = [(k, d.get("alarm", {}).get("home_id")) for k, d in got["op2"]]
        assert kinds == [("hello", None), ("alarm", "h3"), ("logout", None)]
    finally:
        server.stop()
