"""The real home gateway (`python -m gateway`) on a broker under accounts: with the account Anju
issued for it, it relays its home's devices to ingest; the same account used for another home
gets nothing through; revoking the gateway takes it offline and keeps it out."""

from __future__ import annotations

import time
from pathlib import Path

from broker.acl_dynsec import DynsecBroker, UnmanagedBroker, find_plugin, mosquitto_lines
from broker.credentials_service import Provisioning
from broker.mosquitto import Mosquitto, find_mosquitto
from device_models.registry import ModelRegistry
from domain.clock import ManualClock
from domain.model import Home
from gateway.harness import Devices, wait_until
from gateway.process import GatewayProcess
from stores.state.device_credentials import CredentialStore
from stores.state.sql import SqlStateStore
from tests.broker.acl_clients import (
    ADMIN,
    ADMIN_PW,
    INGEST,
    INGEST_PW,
    Client,
    write_broker_file,
)
from tests.conftest import require

TS = 1_767_225_600_000


def _brokers(tmp_path: Path) -> tuple[SqlStateStore, Provisioning, Mosquitto, Mosquitto]:
    """Anju's rows (homes h1 and h2, the ingest account), Anju's broker started from them, and
    the home's own local broker."""
    state = SqlStateStore(f"sqlite:///{tmp_path / 'state.db'}")
    for home in ("h1", "h2"):
        state.upsert_home(Home(home, "c1"))
    models = ModelRegistry()
    models.load()
    store = CredentialStore(state.engine)
    prov = Provisioning(store, state, models, UnmanagedBroker(), ManualClock())
    prov.service_account(INGEST, INGEST_PW)
    dynsec = tmp_path / "dynamic-security.json"
    write_broker_file(dynsec, prov.broker_accounts())
    upstream = Mosquitto(tmp_path / "upstream")
    upstream.start(mosquitto_lines(dynsec))
    prov.broker = DynsecBroker("127.0.0.1", upstream.port, ADMIN, ADMIN_PW)
    return state, prov, upstream, Mosquitto(tmp_path / "local").start()


def test_gateway_relays_its_home_only_and_revoke_takes_it_offline(tmp_path: Path) -> None:
    require(find_mosquitto() is not None, "mosquitto is not installed")
    require(find_plugin() is not None, "mosquitto's dynamic security plugin is not installed")
    state, prov, upstream, local = _brokers(tmp_path)
    password = prov.register("gw1", "anju-gateway-g1").password
    prov.claim("gw1", "h1", None)
    ingest = Client(upstream.port, INGEST, INGEST_PW, client_id="anju-ingest-test")
    assert ingest.subscribe("anju/#")
    creds = ("--username", "gw:gw1", "--password", password, "--gateway-id", "gw1")
    gateway = GatewayProcess(tmp_path / "gw", "h1", local.port, upstream.port, *creds,
                             via_cli=False)  # fmt: skip
    thief = GatewayProcess(tmp_path / "thief", "h2", local.port, upstream.port, *creds,
                           via_cli=False)  # fmt: skip
    h1, h2 = Devices(local.port, "h1", "dev-h1"), Devices(local.port, "h2", "dev-h2")
    try:
        gateway.start()
        gateway.wait_state(lambda s: s["upstream"] == "online", 20, "the gateway online")
        h1.reading("pir-1", 1, TS)
        h1.flush()
        wait_until(lambda: bool(_topics(ingest, "anju/v1/h1/pir-1/")), 10, "h1's reading at ingest")
        gateway.stop()
        thief.start()  # gw1's own account, configured for home h2: it logs in ...
        thief.wait_state(lambda s: s["upstream"] == "online", 20, "the thief online")
        h2.reading("pir-2", 1, TS)
        h2.flush()
        h1.reading("pir-1", 2, TS + 1000)  # queued locally for the stopped h1 gateway
        time.sleep(3.0)
        # ... but nothing it relays for h2 (nor its own h2 status) gets through
        assert _topics(ingest, "anju/v1/h2/") == [], "the h1 gateway's account published for h2"
        thief.stop()
        gateway.start()
        gateway.wait_state(lambda s: s["upstream"] == "online", 20, "the gateway back")
        wait_until(lambda: len(_topics(ingest, "anju/v1/h1/pir-1/")) >= 2, 10, "the queued one")
        prov.revoke("gw1")
        gateway.wait_state(lambda s: s["upstream"] != "online", 10, "the revoked gateway off")
        time.sleep(2.0)  # it keeps trying to reconnect (every second): refused each time
        assert gateway.state()["upstream"] != "online"
        assert _topics(ingest, "anju/v1/h2/") == []
    finally:
        h1.close()
        h2.close()
        thief.stop()
        gateway.stop()
        ingest.close()
        local.stop()
        upstream.stop()
        state.close()


def _topics(ingest: Client, prefix: str) -> list[str]:
    return [t for t, _ in list(ingest.messages) if t.startswith(prefix)]
