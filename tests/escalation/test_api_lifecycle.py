"""The alarm API's lifecycle actions on a real SQLite store (in-process ASGI client)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from alerts.feed import LocalFeed
from alerts.service import AlarmService
from domain.alarms import Detection, Severity
from domain.clock import ManualClock
from stores.state.sql import SqlStateStore
from web.app import create_app


def test_progress_drop_and_resident_cancel(tmp_path: Path) -> None:
    store = SqlStateStore(f"sqlite:///{tmp_path / 'state.db'}")
    feed = LocalFeed()
    service = AlarmService(store, feed, ManualClock())
    sub = feed.subscribe()
    a = service.on_detection(Detection("h1", "fall", Severity.CRITICAL, 0))
    with TestClient(create_app(store, feed, service)) as client:
        url = f"/api/alarms/{a.alarm_id}"
        assert client.post(f"{url}/progress", json={"actor": "user:op1"}).status_code == 409
        assert client.post(f"{url}/accept", json={"actor": "user:op1"}).status_code == 200
        assert client.post(f"{url}/progress", json={"actor": "user:op1"}).json()["state"] == (
            "in_progress"
        )
        dropped = client.post(f"{url}/drop", json={"actor": "user:op1", "note": "line busy"})
        assert dropped.json()["state"] == "notified"
        assert client.post(f"{url}/cancel", json={"actor": "user:op2"}).status_code == 409
        done = client.post(f"{url}/cancel", json={"actor": "resident", "note": "I'm OK"})
        assert done.json()["state"] == "cancelled"
        assert client.post(f"{url}/explode", json={"actor": "x"}).status_code in (404, 422)
    changes = []
    while (event := sub.get(timeout=0)) is not None:
        changes.append(event.data["change"])
    assert changes == ["raised", "accepted", "in_progress", "dropped", "cancelled"]
    store.close()
