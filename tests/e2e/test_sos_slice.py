"""The first vertical slice with real parts: Mosquitto, SQLite stores, ingest, detectors,
alarms, the web app on uvicorn. A published SOS reaches the live feed within a second."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from anju.settings import Settings
from anju.wiring import Anju, build
from broker.mosquitto import Mosquitto, free_port
from domain.access import Role
from tests.e2e.helpers import Publisher, SseReader, e2e_settings, provision
from tests.web.auth_support import add_user, token_for


@pytest.fixture
def anju(mosquitto: Mosquitto, tmp_path: Path) -> Iterator[Anju]:
    settings = e2e_settings(mosquitto, tmp_path, "e2e-ingest")
    app = build(settings)
    provision(app.state_store, "h1")
    app.start()
    yield app
    app.stop()


def is_sos(seq: int) -> object:
    def pred(kind: str, data: dict[str, object]) -> bool:
        alarm = data.get("alarm")
        return (
            kind == "alarm"
            and isinstance(alarm, dict)
            and alarm["type"] == "sos"
            and alarm["evidence"].get("seq") == seq
        )

    return pred


def test_published_sos_is_on_the_live_feed_within_a_second(
    anju: Anju, mosquitto: Mosquitto
) -> None:
    button = anju.state_store.get_device("h1-sos")
    assert button is not None
    op1 = token_for(
        anju, add_user(anju, Role.OPERATOR, username="op1", communities=["jinghong-01"])
    )
    feed = SseReader(f"{anju.url}/api/feed", headers=op1).start()
    publisher = Publisher(mosquitto.port)
    try:
        sent = publisher.sos(button, seq=1)
        got = feed.wait_for(is_sos(1), timeout=5)
        assert got is not None, "SOS never reached the feed"
        assert got[2] - sent < 1.0, f"took {got[2] - sent:.3f} s"
        alarm = got[1]["alarm"]
        assert (alarm["severity"], alarm["state"], alarm["home_id"]) == ("critical", "raised", "h1")
        assert alarm["evidence"]["room"] == "bedroom"
        assert alarm["home"]["residents"] == ["玉罕"]

        # stored, listed, and a second press folds into the same open alarm
        sent = publisher.sos(button, seq=2)
        again = feed.wait_for(is_sos(2), timeout=5)
        assert again is not None and again[1]["change"] == "updated"
        assert again[1]["alarm"]["count"] == 2
        listed = httpx.get(f"{anju.url}/api/alarms", params={"open": "true"}, headers=op1)
        listed = listed.json()["alarms"]
        assert [a["id"] for a in listed] == [alarm["id"]]
        stored = anju.state_store.get_alarm(alarm["id"])
        assert stored is not None and stored.count == 2
        assert anju.ts_store.count() == 2  # both events stored as points too

        accepted = httpx.post(f"{anju.url}/api/alarms/{alarm['id']}/accept", json={}, headers=op1)
        assert accepted.status_code == 200 and accepted.json()["history"][-1]["actor"] == "user:op1"
        health = httpx.get(f"{anju.url}/healthz").json()
        assert health == {
            "status": "ok",
            "checks": {"state_store": "ok", "timeseries": "ok", "broker": "ok"},
        }
        assert 'anju_alarms_open{severity="critical"} 1.0' in httpx.get(f"{anju.url}/metrics").text
    finally:
        publisher.close()


def test_a_taken_web_port_fails_start_and_releases_everything(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        settings = Settings(
            data_dir=tmp_path / "data", mqtt_port=free_port(), http_port=taken.getsockname()[1]
        )
        app = build(settings)
        with pytest.raises(RuntimeError, match="did not start"):
            app.start(wait_connected_s=0)
    assert not app.ingest.healthy
    assert not app.web.running
