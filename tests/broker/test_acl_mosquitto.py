"""Per-device credentials and ACLs enforced by a REAL Mosquitto under Anju's configuration.

The broker runs the dynamic security plugin with the file Anju renders from its own rows (admin
and ingest accounts); devices are then registered, claimed and revoked through Anju's
provisioning, which changes the broker live over its control topic.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from broker.acl_dynsec import DynsecBroker, UnmanagedBroker, find_plugin, mosquitto_lines
from broker.credentials_service import Provisioning
from broker.mosquitto import Mosquitto, find_mosquitto
from device_models.registry import ModelRegistry
from domain.clock import ManualClock
from domain.model import Home
from stores.state.device_credentials import CredentialStore
from stores.state.sql import SqlStateStore
from tests.broker.acl_clients import (
    ADMIN,
    ADMIN_PW,
    INGEST,
    INGEST_PW,
    Client,
    wait_for,
    write_broker_file,
)
from tests.conftest import require

QUIET_S = 1.0  # how long "nothing arrives" is watched


@pytest.fixture(scope="module")
def models() -> ModelRegistry:
    """The shipped device models (Anju's own on the contract's topics, vendors' on theirs)."""
    registry = ModelRegistry()
    assert registry.load() == []
    return registry


@dataclass
class Env:
    broker: Mosquitto
    prov: Provisioning
    ingest: Client
    passwords: dict[str, str]
    dynsec_file: Path


def start_broker(workdir: Path, prov: Provisioning) -> tuple[Mosquitto, Path]:
    dynsec_file = workdir / "dynamic-security.json"
    write_broker_file(dynsec_file, prov.broker_accounts())
    broker = Mosquitto(workdir)
    broker.start(mosquitto_lines(dynsec_file))
    return broker, dynsec_file


@pytest.fixture
def env(tmp_path: Path, models: ModelRegistry) -> Iterator[Env]:
    require(find_mosquitto() is not None, "mosquitto is not installed")
    require(find_plugin() is not None, "mosquitto's dynamic security plugin is not installed")
    state = SqlStateStore(f"sqlite:///{tmp_path / 'state.db'}")
    state.upsert_home(Home("h1", "c1"))
    state.upsert_home(Home("h2", "c2"))
    creds = CredentialStore(state.engine)
    prov = Provisioning(creds, state, models, UnmanagedBroker(), ManualClock())
    prov.service_account(INGEST, INGEST_PW)
    broker, dynsec_file = start_broker(tmp_path / "mosquitto", prov)
    prov.broker = DynsecBroker("127.0.0.1", broker.port, ADMIN, ADMIN_PW)
    passwords = {}
    for device, home, model in (
        ("a", "h1", "anju-pir-m1"),
        ("b", "h2", "anju-pir-m1"),
        ("la", "h1", "lumio-ls10"),
        ("lb", "h2", "lumio-ls10"),
    ):
        passwords[device] = prov.register(device, model).password
        prov.claim(device, home, "bedroom")
    passwords["gw1"] = prov.register("gw1", "anju-gateway-g1").password
    prov.claim("gw1", "h1", None)
    ingest = Client(broker.port, INGEST, INGEST_PW, client_id="anju-ingest-test")
    assert ingest.accepted and ingest.subscribe("anju/v1/+/+/+")
    assert ingest.subscribe("lumio/ls10/+/up")
    try:
        yield Env(broker, prov, ingest, passwords, dynsec_file)
    finally:
        ingest.close()
        broker.stop()
        state.close()


def _device(env: Env, device: str, password: str | None = None) -> Client:
    return Client(env.broker.port, f"dev:{device}", password or env.passwords[device])


def _arrived(env: Env, topic: str) -> list[bytes]:
    return [p for t, p in env.ingest.messages if t == topic]


def _sentinel(env: Env) -> None:
    """B publishes after the attempt: once it arrives, anything A got through would have too."""
    b = _device(env, "b")
    assert b.publish("anju/v1/h2/b/status", b"sentinel").is_failure is False
    b.close()
    assert wait_for(lambda: _arrived(env, "anju/v1/h2/b/status"))
    time.sleep(QUIET_S)


def test_device_publishes_its_own_reading(env: Env) -> None:
    a = _device(env, "a")
    assert a.accepted
    assert a.publish("anju/v1/h1/a/reading", b'{"v":1}').is_failure is False
    assert wait_for(lambda: _arrived(env, "anju/v1/h1/a/reading") == [b'{"v":1}'])
    a.close()


def test_stolen_topics_of_another_home_are_refused(env: Env) -> None:
    a = _device(env, "a")
    for topic in ("anju/v1/h2/b/reading", "anju/v1/h2/b/event", "anju/v1/h1/b/reading"):
        rc = a.publish(topic, b'{"v":"forged"}')
        assert rc.is_failure and rc.getName() == "Not authorized", topic
    _sentinel(env)
    assert _arrived(env, "anju/v1/h2/b/reading") == []
    assert _arrived(env, "anju/v1/h2/b/event") == []
    assert _arrived(env, "anju/v1/h1/b/reading") == []
    a.close()


def test_a_vendor_device_publishes_on_its_models_topic_only(env: Env) -> None:
    la = _device(env, "la")
    assert la.publish("lumio/ls10/la/up", b"\x01\x02").is_failure is False
    assert la.publish("lumio/ls10/lb/up", b"forged").is_failure
    assert la.publish("anju/v1/h1/la/reading", b"forged").is_failure
    _sentinel(env)
    assert _arrived(env, "lumio/ls10/la/up") == [b"\x01\x02"]
    assert _arrived(env, "lumio/ls10/lb/up") == []
    assert _arrived(env, "anju/v1/h1/la/reading") == []
    la.close()


def test_device_reads_only_its_own_commands(env: Env) -> None:
    a = _device(env, "a")
    assert a.subscribe("anju/v1/h1/a/cmd")
    assert not a.subscribe("anju/v1/h2/b/cmd")
    assert not a.subscribe("anju/v1/+/+/cmd")
    assert not a.subscribe("#")
    a.close()


def test_wrong_or_unknown_credentials_are_refused(env: Env) -> None:
    assert not _device(env, "a", "not-the-password").accepted
    assert not Client(env.broker.port, "dev:nobody", "whatever").accepted
    assert not Client(env.broker.port, "dev:a", env.passwords["b"]).accepted


def test_unclaimed_device_may_connect_but_not_publish(env: Env) -> None:
    password = env.prov.register("c", "anju-pir-m1").password
    c = _device(env, "c", password)
    assert c.accepted
    assert c.publish("anju/v1/h1/c/reading", b"early").is_failure
    c.close()


def test_revoke_disconnects_at_once_and_refuses_reconnects(env: Env) -> None:
    """Measured over 10 devices: from the start of `revoke()` (state store, then the broker's
    control topic) to the device's client seeing its connection closed."""
    delays = []
    for i in range(10):
        device = f"r{i}"
        password = env.prov.register(device, "anju-pir-m1").password
        env.prov.claim(device, "h1", "bedroom")
        client = _device(env, device, password)
        assert client.accepted
        started = time.monotonic()
        env.prov.revoke(device)
        assert client.disconnected.wait(5), "the revoked device is still connected"
        delays.append(client.disconnected_at - started)
        client.c.loop_stop()
        assert not _device(env, device, password).accepted, "a revoked device reconnected"
    ms = sorted(d * 1000 for d in delays)
    print(f"revoke -> disconnected, 10 devices: median {statistics.median(ms):.0f} ms, "
          f"max {ms[-1]:.0f} ms")  # fmt: skip
    assert ms[-1] < 1000, ms


def test_gateway_publishes_for_its_home_only(env: Env) -> None:
    gw = Client(env.broker.port, "gw:gw1", env.passwords["gw1"])
    assert gw.accepted
    assert gw.publish("anju/v1/h1/a/reading", b"relayed").is_failure is False
    assert gw.publish("anju/v1/h1/gw1/status", b"gw status").is_failure is False
    assert gw.publish("anju/v1/h2/b/reading", b"forged").is_failure
    assert gw.subscribe("anju/v1/h1/+/cmd")
    assert not gw.subscribe("anju/v1/h2/+/cmd")
    _sentinel(env)
    assert _arrived(env, "anju/v1/h1/a/reading") == [b"relayed"]
    assert _arrived(env, "anju/v1/h2/b/reading") == []
    gw.close()


def test_a_broker_rebuilt_from_anjus_rows_knows_every_device(env: Env, tmp_path: Path) -> None:
    """Anju keeps hashes only, yet a fresh broker fed from its rows lets devices back in."""
    env.prov.revoke("b")
    env.ingest.close()
    env.broker.stop()
    broker, _ = start_broker(tmp_path / "fresh", env.prov)
    try:
        env.prov.broker = DynsecBroker("127.0.0.1", broker.port, ADMIN, ADMIN_PW)
        assert env.prov.prepare_broker(INGEST, INGEST_PW) == 5  # ingest, a, la, lb, gw1
        a = Client(broker.port, "dev:a", env.passwords["a"])
        assert a.accepted
        assert a.publish("anju/v1/h1/a/reading", b"after rebuild").is_failure is False
        assert a.publish("anju/v1/h2/b/reading", b"forged").is_failure
        a.close()
        assert not Client(broker.port, "dev:b", env.passwords["b"]).accepted
    finally:
        broker.stop()
