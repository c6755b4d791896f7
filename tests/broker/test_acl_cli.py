"""`anju device register|claim|list|revoke|broker-file`, then a real Mosquitto from that file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from anju.cli import main
from broker.acl_dynsec import find_plugin, mosquitto_lines
from broker.mosquitto import Mosquitto, find_mosquitto
from domain.model import Home
from stores.state.sql import SqlStateStore
from tests.broker.acl_clients import Client
from tests.conftest import require


def test_cli_provisions_and_a_fresh_broker_starts_from_anjus_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    require(find_mosquitto() is not None, "mosquitto is not installed")
    require(find_plugin() is not None, "mosquitto's dynamic security plugin is not installed")
    url = f"sqlite:///{tmp_path / 'state.db'}"
    for key in ("ANJU_MQTT_ADMIN_PASSWORD", "ANJU_MQTT_USERNAME", "ANJU_MQTT_PASSWORD"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("ANJU_STATE_URL", url)
    monkeypatch.setenv("ANJU_DATA_DIR", str(tmp_path))
    state = SqlStateStore(url)
    state.upsert_home(Home("h1", "c1"))
    state.close()

    assert main(["device", "register", "pir-1", "anju-pir-m1", "--json"]) == 0
    password = json.loads(capsys.readouterr().out)["mqtt_password"]
    assert main(["device", "register", "pir-2", "anju-pir-m1", "--json"]) == 0
    revoked_password = json.loads(capsys.readouterr().out)["mqtt_password"]
    assert main(["device", "register", "pir-1", "anju-pir-m1"]) == 2
    assert "already registered" in capsys.readouterr().err
    assert main(["device", "claim", "pir-1", "h1", "--room", "hall"]) == 2
    assert "room 'hall'" in capsys.readouterr().err
    assert main(["device", "claim", "pir-1", "h1", "--room", "kitchen"]) == 0
    assert main(["device", "revoke", "pir-2"]) == 0
    capsys.readouterr()
    assert main(["device", "list", "--json"]) == 0
    rows = {r["device_id"]: r["status"] for r in json.loads(capsys.readouterr().out)}
    assert rows == {"pir-1": "claimed", "pir-2": "revoked"}

    monkeypatch.setenv("ANJU_MQTT_ADMIN_PASSWORD", "admin-pw")
    monkeypatch.setenv("ANJU_MQTT_USERNAME", "anju-ingest")
    monkeypatch.setenv("ANJU_MQTT_PASSWORD", "ingest-pw")
    dynsec = tmp_path / "dynamic-security.json"
    assert main(["device", "broker-file", str(dynsec)]) == 0
    text = dynsec.read_text(encoding="utf-8")
    assert password not in text and "ingest-pw" not in text and "admin-pw" not in text
    with Mosquitto(tmp_path / "mosquitto") as broker:
        broker.stop()
        broker.start(mosquitto_lines(dynsec))
        device = Client(broker.port, "dev:pir-1", password)
        assert device.accepted
        assert device.publish("anju/v1/h1/pir-1/reading", b"{}").is_failure is False
        assert device.publish("anju/v1/h1/pir-2/reading", b"{}").is_failure
        device.close()
        assert not Client(broker.port, "dev:pir-2", revoked_password).accepted
        ingest = Client(broker.port, "anju-ingest", "ingest-pw")
        assert ingest.accepted and ingest.subscribe("anju/v1/+/+/+")
        ingest.close()
        admin = Client(broker.port, "anju-admin", "admin-pw")
        assert admin.accepted and not admin.subscribe("anju/v1/+/+/+")
        admin.close()
