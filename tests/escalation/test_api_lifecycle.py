"""The alarm API's lifecycle actions on a real SQLite store (in-process ASGI client)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from alerts.feed import LocalFeed
from alerts.service import AlarmService
from domain.access import Role
from domain.alarms import Detection, Severity
from domain.clock import ManualClock
from stores.state.sql import SqlStateStore
from tests.web.auth_support import add_user, login
from web.app import create_app


def test_progress_drop_and_resident_cancel(tmp_path: Path) -> None:
    store = SqlStateStore(f"sqlite:///{tmp_path / 'state.db'}")
    feed = LocalFeed()
    service = AlarmService(store, feed, ManualClock())
    sub = feed.subscribe()
    a = service.on_detection(Detection("h1", "fall", Severity.CRITICAL, 0))
    app = create_app(store, feed, service)
    with TestClient(app) as client:
        login(client, add_user(app, Role.ADMIN, username="op1"))  # h1 has no community: admin
        url = f"/api/alarms/{a.alarm_id}"
        assert client.post(f"{url}/progress", json={}).status_code == 409
        assert client.post(f"{url}/accept", json={"actor": "user:op1"}).status_code == 200
        assert client.post(f"{url}/progress", json={}).json()["state"] == "in_progress"
        dropped = client.post(f"{url}/drop", json={"note": "line busy"})
        assert dropped.json()["state"] == "notified"
        assert client.post(f"{url}/cancel", json={"actor": "user:op2"}).status_code == 400
        done = client.post(f"{url}/cancel", json={"actor": "resident", "note": "I'm OK"})
        assert done.json()["state"] == "cancelled"
        assert done.json()["history"][-1]["actor"] == "resident via user:op1"
        assert client.post(f"{url}/explode", json={}).status_code in (404, 422)
    changes = []
    while (event := sub.get(timeout=0)) is not None:
        changes.append(event.data["change"])
    assert changes == ["raised", "accepted", "in_progress", "dropped", "cancelled"]
    store.close()
