"""`anju serve` with the broker under accounts: Anju brings in its ingest account before ingest
logs in with it, a device registered and claimed through the API raises an SOS alarm with its
own account, a forged SOS for another home raises nothing, and revoking it over the API kicks it."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from anju.settings import Settings
from anju.wiring import Anju, build
from broker.acl_dynsec import find_plugin, mosquitto_lines
from broker.mosquitto import Mosquitto, find_mosquitto, free_port
from domain.access import Role
from domain.model import Home
from tests.broker.acl_clients import (
    ADMIN_PW,
    INGEST,
    INGEST_PW,
    Client,
    wait_for,
    write_broker_file,
)
from tests.conftest import require
from tests.web.auth_support import add_user, token_for


@pytest.fixture
def anju(tmp_path: Path) -> Iterator[tuple[Anju, Mosquitto]]:
    require(find_mosquitto() is not None, "mosquitto is not installed")
    require(find_plugin() is not None, "mosquitto's dynamic security plugin is not installed")
    dynsec = tmp_path / "dynamic-security.json"
    write_broker_file(dynsec, [])  # like compose's first start: the admin account only
    broker = Mosquitto(tmp_path / "mosquitto")
    broker.start(mosquitto_lines(dynsec))
    settings = Settings(
        data_dir=tmp_path / "data",
        mqtt_port=broker.port,
        http_port=free_port(),
        mqtt_client_id="acl-serve-ingest",
        mqtt_username=INGEST,
        mqtt_password=INGEST_PW,
        mqtt_admin_password=ADMIN_PW,
    )
    app = build(settings)
    app.state_store.upsert_home(Home("h1", "c1"))
    app.state_store.upsert_home(Home("h2", "c2"))
    app.start()
    try:
        yield app, broker
    finally:
        app.stop()
        broker.stop()


def _sos(seq: int) -> bytes:
    return json.dumps({"v": 1, "seq": seq, "ts": int(time.time() * 1000), "type": "sos"}).encode()


def test_a_provisioned_device_raises_an_alarm_through_the_secured_broker(
    anju: tuple[Anju, Mosquitto],
) -> None:
    app, broker = anju
    assert app.ingest.wait_connected(10), "ingest did not log in with its service account"
    admin = token_for(app, add_user(app, Role.ADMIN))
    api = httpx.Client(base_url=app.url, headers=admin, timeout=10)
    for device, home in (("sos-1", "h1"), ("sos-2", "h2")):
        r = api.post("/api/devices", json={"device_id": device, "model_id": "anju-sos-w1"})
        assert r.status_code == 201, r.text
        if device == "sos-1":
            password = r.json()["mqtt_password"]
        r = api.post(f"/api/devices/{device}/claim", json={"home_id": home, "room": "bedroom"})
        assert r.status_code == 200, r.text
    button = Client(broker.port, "dev:sos-1", password)
    assert button.accepted
    assert button.publish("anju/v1/h2/sos-2/event", _sos(7)).is_failure  # forged, other home
    assert button.publish("anju/v1/h1/sos-1/event", _sos(1)).is_failure is False

    def alarms(home: str) -> list[str]:
        return [a.type for a in app.state_store.list_alarms() if a.home_id == home]

    assert wait_for(lambda: "sos" in alarms("h1"), 10), "the device's SOS raised no alarm"
    assert alarms("h2") == []
    assert api.post("/api/devices/sos-1/revoke").status_code == 200
    assert button.disconnected.wait(5)
    button.c.loop_stop()
    assert not Client(broker.port, "dev:sos-1", password).accepted
    api.close()
