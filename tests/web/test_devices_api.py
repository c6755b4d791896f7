"""`/api/devices`: register (credentials once), claim, revoke, list and read, per role and scope.

The broker side is a recorder here (what Anju told the broker); the last test runs the same API
against a real Mosquitto under the dynamic security plugin.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from broker.acl import Acl
from broker.acl_dynsec import (
    BrokerError,
    DynsecBroker,
    UnmanagedBroker,
    find_plugin,
    mosquitto_lines,
)
from broker.credentials import parse_hash
from broker.credentials_service import Provisioning
from broker.mosquitto import Mosquitto, find_mosquitto
from device_models.registry import ModelRegistry
from domain.access import Role
from domain.clock import ManualClock
from domain.model import DeviceKind, Home, Room
from stores.state.audit import AuditQuery
from stores.state.device_credentials import CredentialStore
from tests.broker.acl_clients import ADMIN, ADMIN_PW, Client, write_broker_file
from tests.conftest import require
from tests.web.auth_support import add_user, login
from tests.web.conftest import Board


class RecordingBroker(UnmanagedBroker):
    def __init__(self) -> None:
        self.accounts: dict[str, tuple[Acl, ...]] = {}
        self.removed: list[str] = []

    def put(self, username: str, password: str | None, acls: Sequence[Acl]) -> None:
        self.accounts[username] = tuple(acls)

    def remove(self, username: str) -> None:
        self.removed.append(username)
        self.accounts.pop(username, None)


@pytest.fixture(scope="module")
def models() -> ModelRegistry:
    registry = ModelRegistry()
    assert registry.load() == []
    return registry


@pytest.fixture
def prov(board: Board, models: ModelRegistry) -> Provisioning:
    board.store.upsert_home(Home("h2", "other-community"))
    store = CredentialStore(board.store.engine)
    p = Provisioning(store, board.store, models, RecordingBroker(), ManualClock())
    board.app.state.provisioning = p
    return p


@pytest.fixture
def admin(client: TestClient, board: Board, prov: Provisioning) -> TestClient:
    login(client, add_user(board.store, Role.ADMIN))
    return client


def _register(c: TestClient, device: str, model: str = "anju-pir-m1") -> dict[str, object]:
    r = c.post("/api/devices", json={"device_id": device, "model_id": model})
    assert r.status_code == 201, r.text
    body: dict[str, object] = r.json()
    return body


def test_register_shows_the_password_once_and_keeps_only_its_hash(
    admin: TestClient, board: Board, prov: Provisioning
) -> None:
    body = _register(admin, "pir-1")
    password = str(body["mqtt_password"])
    assert body["mqtt_username"] == "dev:pir-1" and body["status"] == "registered"
    assert len(password) >= 40
    (row,) = prov.store.accounts()
    assert parse_hash(row.password_hash).verify(password)
    assert not parse_hash(row.password_hash).verify(password + "x")
    with board.store.engine.connect() as conn:
        for table in ("device_registrations", "mqtt_accounts"):
            dump = repr(conn.execute(sa.text(f"SELECT * FROM {table}")).all())
            assert password not in dump
    again = admin.get("/api/devices/pir-1").json()
    assert "mqtt_password" not in again and again["status"] == "registered"
    assert isinstance(prov.broker, RecordingBroker)
    assert prov.broker.accounts["dev:pir-1"] == ()  # may connect, may do nothing yet


BAD_REGISTRATIONS = [
    ({"device_id": "pir-9", "model_id": "no-such-model"}, 400, "unknown device model"),
    ({"device_id": "Bad Id!", "model_id": "anju-pir-m1"}, 422, "device_id"),
    ({"device_id": "pir-9"}, 422, "model_id"),
    ({"device_id": "pir-9", "model_id": "anju-pir-m1", "x": 1}, 422, "x"),
]


def test_bad_registrations_get_a_4xx_with_a_message(admin: TestClient) -> None:
    for body, status, words in BAD_REGISTRATIONS:
        r = admin.post("/api/devices", json=body)
        assert r.status_code == status and words in r.text, body


def test_a_device_id_is_registered_once(admin: TestClient) -> None:
    _register(admin, "pir-1")
    r = admin.post("/api/devices", json={"device_id": "pir-1", "model_id": "anju-door-d1"})
    assert r.status_code == 409 and "already registered" in r.json()["detail"]


def test_claim_puts_the_device_in_the_home_and_opens_its_topics(
    admin: TestClient, board: Board, prov: Provisioning
) -> None:
    _register(admin, "pir-1")
    r = admin.post("/api/devices/pir-1/claim", json={"home_id": "h1", "room": "kitchen"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "claimed" and r.json()["home_id"] == "h1"
    device = board.store.get_device("pir-1")
    assert device is not None and device.home_id == "h1" and device.room is Room.KITCHEN
    assert device.kind is DeviceKind.MOTION and device.model == "anju-pir-m1"
    assert isinstance(prov.broker, RecordingBroker)
    assert {(a.acltype, a.topic) for a in prov.broker.accounts["dev:pir-1"]} == {
        ("publishClientSend", "anju/v1/h1/pir-1/+"),
        ("subscribeLiteral", "anju/v1/h1/pir-1/cmd"),
    }


BAD_CLAIMS = [
    ({"home_id": "nowhere", "room": "kitchen"}, 404, "home"),
    ({"home_id": "h1", "room": "attic"}, 400, "room"),
    ({"room": "kitchen"}, 422, "home_id"),
]


def test_bad_claims_get_a_4xx_with_a_message(admin: TestClient) -> None:
    _register(admin, "pir-1")
    for body, status, words in BAD_CLAIMS:
        r = admin.post("/api/devices/pir-1/claim", json=body)
        assert r.status_code == status and words in r.text, body
    assert admin.post("/api/devices/nope/claim", json={"home_id": "h1"}).status_code == 404


def test_revoke_tells_the_broker_and_blocks_a_later_claim(
    admin: TestClient, board: Board, prov: Provisioning
) -> None:
    changed: list[str] = []
    prov.on_change(changed.append)
    _register(admin, "pir-1")
    admin.post("/api/devices/pir-1/claim", json={"home_id": "h1", "room": "kitchen"})
    r = admin.post("/api/devices/pir-1/revoke")
    assert changed == ["pir-1", "pir-1"]  # claim, revoke: ingest's directory is refreshed
    assert r.status_code == 200 and r.json()["status"] == "revoked"
    assert isinstance(prov.broker, RecordingBroker) and prov.broker.removed == ["dev:pir-1"]
    device = board.store.get_device("pir-1")
    assert device is not None and not device.enabled
    again = admin.post("/api/devices/pir-1/claim", json={"home_id": "h1"})
    assert again.status_code == 409 and "revoked" in again.text
    assert prov.store.accounts() == []  # no active account is left for it


def test_operator_sees_and_acts_within_their_communities(
    admin: TestClient, board: Board, prov: Provisioning
) -> None:
    for device in ("in-h1", "in-h2", "loose"):
        _register(admin, device)
    admin.post("/api/devices/in-h1/claim", json={"home_id": "h1", "room": "bedroom"})
    admin.post("/api/devices/in-h2/claim", json={"home_id": "h2", "room": "bedroom"})
    login(admin, add_user(board.store, Role.OPERATOR, communities=["jinghong-01"]))
    listed = {d["device_id"] for d in admin.get("/api/devices").json()["devices"]}
    assert listed == {"in-h1", "loose"}
    assert admin.get("/api/devices/in-h2").status_code == 404
    assert admin.post("/api/devices/in-h2/revoke").status_code == 404
    r = admin.post("/api/devices/loose/claim", json={"home_id": "h2"})
    assert r.status_code == 404 and "home" in r.text
    assert admin.post("/api/devices/loose/claim", json={"home_id": "h1"}).status_code == 200
    _register(admin, "op-new")


def test_integrator_works_with_their_own_models_only(admin: TestClient, board: Board) -> None:
    _register(admin, "pir-1")
    admin.post("/api/devices/pir-1/claim", json={"home_id": "h1", "room": "kitchen"})
    login(admin, add_user(board.store, Role.INTEGRATOR, models=["lumio-ls10"]))
    r = admin.post("/api/devices", json={"device_id": "pir-2", "model_id": "anju-pir-m1"})
    assert r.status_code == 403 and "not one of yours" in r.text
    _register(admin, "lumio-1", "lumio-ls10")
    listed = admin.get("/api/devices").json()["devices"]
    assert [d["device_id"] for d in listed] == ["lumio-1"]
    assert "home_id" not in listed[0]
    assert admin.get("/api/devices/pir-1").status_code == 404
    assert admin.post("/api/devices/lumio-1/claim", json={"home_id": "h1"}).status_code == 403
    assert admin.post("/api/devices/lumio-1/revoke").status_code == 200


def test_family_and_strangers_cannot_register(
    client: TestClient, board: Board, prov: Provisioning
) -> None:
    body = {"device_id": "pir-1", "model_id": "anju-pir-m1"}
    assert client.post("/api/devices", json=body).status_code == 401
    assert client.get("/api/devices").status_code == 401
    login(client, add_user(board.store, Role.FAMILY))
    assert client.post("/api/devices", json=body).status_code == 403


def test_reads_are_audited(admin: TestClient, board: Board) -> None:
    _register(admin, "pir-1")
    admin.get("/api/devices")
    admin.get("/api/devices/pir-1")
    audit = board.app.state.ctx.auth.audit
    events = audit.search(AuditQuery(kind="device"))
    assert [(e.action, e.path) for e in events] == [
        ("read", "/api/devices/pir-1"),
        ("read", "/api/devices"),
        ("write", "/api/devices"),
    ]
    assert all(e.subject_ids == ("pir-1",) for e in events)


def test_without_provisioning_the_api_says_so(client: TestClient, board: Board) -> None:
    login(client, add_user(board.store, Role.ADMIN))
    r = client.get("/api/devices")
    assert r.status_code == 503 and "not configured" in r.text


@pytest.fixture
def real_broker(tmp_path: Path, prov: Provisioning) -> Iterator[Mosquitto]:
    require(find_mosquitto() is not None, "mosquitto is not installed")
    require(find_plugin() is not None, "mosquitto's dynamic security plugin is not installed")
    dynsec = tmp_path / "dynamic-security.json"
    write_broker_file(dynsec, [])
    broker = Mosquitto(tmp_path / "mosquitto")
    broker.start(mosquitto_lines(dynsec))
    prov.broker = DynsecBroker("127.0.0.1", broker.port, ADMIN, ADMIN_PW)
    try:
        yield broker
    finally:
        broker.stop()


def test_through_the_api_on_a_real_broker(admin: TestClient, real_broker: Mosquitto) -> None:
    password = str(_register(admin, "pir-1")["mqtt_password"])
    admin.post("/api/devices/pir-1/claim", json={"home_id": "h1", "room": "kitchen"})
    device = Client(real_broker.port, "dev:pir-1", password)
    assert device.accepted
    assert device.publish("anju/v1/h1/pir-1/reading", b"{}").is_failure is False
    assert device.publish("anju/v1/h2/other/reading", b"{}").is_failure
    assert admin.post("/api/devices/pir-1/revoke").status_code == 200
    assert device.disconnected.wait(5)
    device.c.loop_stop()
    assert not Client(real_broker.port, "dev:pir-1", password).accepted


class DownBroker(UnmanagedBroker):
    def put(self, username: str, password: str | None, acls: Sequence[Acl]) -> None:
        raise BrokerError("broker 127.0.0.1:1 unreachable")

    def remove(self, username: str) -> None:
        raise BrokerError("broker 127.0.0.1:1 unreachable")


def test_a_broker_that_does_not_answer_leaves_nothing_half_done(
    admin: TestClient, prov: Provisioning
) -> None:
    _register(admin, "pir-1")
    admin.post("/api/devices/pir-1/claim", json={"home_id": "h1", "room": "kitchen"})
    working, prov.broker = prov.broker, DownBroker()
    r = admin.post("/api/devices", json={"device_id": "pir-2", "model_id": "anju-pir-m1"})
    assert r.status_code == 503 and "broker" in r.json()["detail"]
    assert admin.get("/api/devices/pir-2").status_code == 404  # rolled back
    r = admin.post("/api/devices/pir-1/revoke")
    assert r.status_code == 503  # recorded in Anju, the broker still to be told
    assert admin.get("/api/devices/pir-1").json()["status"] == "revoked"
    prov.broker = working
    assert admin.post("/api/devices/pir-1/revoke").status_code == 200  # the retry reaches it
    assert isinstance(working, RecordingBroker) and working.removed == ["dev:pir-1"]
