"""TLS on the MQTT listener (as in docker/mosquitto/mosquitto.conf) with a device's credential.

A throwaway CA and server certificate are made with openssl; Mosquitto gets a TLS listener
beside its plain one; a provisioned device connects over TLS with its own account.
"""

from __future__ import annotations

import os
import shutil
import signal
import ssl
import subprocess
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import yaml
from paho.mqtt.enums import CallbackAPIVersion

from broker.acl import contract_publish_topics, contract_subscribe_topics, device_acls
from broker.acl_dynsec import BrokerAccount, DynsecBroker, find_plugin, mosquitto_lines
from broker.credentials import hash_password, new_password
from broker.credentials_service import Provisioning
from broker.mosquitto import Mosquitto, find_mosquitto, free_port, wait_for_port
from device_models.registry import ModelRegistry
from domain.clock import ManualClock
from domain.model import Home
from stores.state.device_credentials import CredentialStore
from stores.state.sql import SqlStateStore
from tests.broker.acl_clients import Client, wait_for, write_broker_file
from tests.conftest import REPO, require
from tests.test_compose import COMPOSE, _expand

COMPOSE_ANJU_ENV: dict[str, Any] = COMPOSE["x-anju-env"]


def make_certs(d: Path) -> None:
    d.mkdir(parents=True, exist_ok=True)

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=Anju test CA",
        "-keyout", "ca.key", "-out", "ca.crt")  # fmt: skip
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
        "-keyout", "server.key", "-out", "server.csr")  # fmt: skip
    (d / "san.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n", encoding="utf-8")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "1", "-extfile", "san.ext", "-out", "server.crt")  # fmt: skip


def test_device_connects_over_tls_with_its_own_credential(tmp_path: Path) -> None:
    require(find_mosquitto() is not None, "mosquitto is not installed")
    require(find_plugin() is not None, "mosquitto's dynamic security plugin is not installed")
    require(shutil.which("openssl") is not None, "openssl is not installed")
    certs = tmp_path / "certs"
    make_certs(certs)
    password = new_password()
    acls = device_acls(contract_publish_topics("h1", "a"), contract_subscribe_topics("h1", "a"))
    dynsec = tmp_path / "dynamic-security.json"
    write_broker_file(dynsec, [BrokerAccount("dev:a", hash_password(password), acls)])
    tls_port = free_port()
    extra = mosquitto_lines(dynsec) + (
        f"listener {tls_port} 127.0.0.1\n"
        f"certfile {certs / 'server.crt'}\nkeyfile {certs / 'server.key'}\n"
        "tls_version tlsv1.2\n"
    )
    with Mosquitto(tmp_path / "mosquitto") as broker:
        broker.stop()
        broker.start(extra)
        wait_for_port("127.0.0.1", tls_port)
        ctx = ssl.create_default_context(cafile=str(certs / "ca.crt"))
        device = Client(tls_port, "dev:a", password, tls=ctx)
        try:
            assert device.accepted
            assert device.publish("anju/v1/h1/a/reading", b'{"v":1}').is_failure is False
            assert device.subscribe("anju/v1/h1/a/cmd")
        finally:
            device.close()
        refused = Client(tls_port, "dev:a", "wrong", tls=ctx)
        assert not refused.accepted
        untrusted = ssl.create_default_context()  # the system CAs do not know this server
        try:
            Client(tls_port, "dev:a", password, tls=untrusted)
            raise AssertionError("a client that does not trust the server's CA connected")
        except ssl.SSLCertVerificationError:
            pass


def test_the_production_configuration_runs_as_compose_starts_it(tmp_path: Path) -> None:
    """docker/mosquitto/mosquitto.conf and the compose service's own start and health commands,
    with only paths and ports changed: Anju brings its ingest account and a device in, the
    device reaches ingest over TLS, anonymous clients are refused, the health check passes."""
    require(find_mosquitto() is not None, "mosquitto is not installed")
    plugin = find_plugin()
    require(plugin is not None, "mosquitto's dynamic security plugin is not installed")
    require(shutil.which("openssl") is not None, "openssl is not installed")
    require(shutil.which("mosquitto_ctrl") is not None, "mosquitto_ctrl is not installed")
    certs, data = tmp_path / "certs", tmp_path / "data"
    make_certs(certs)
    data.mkdir()
    plain, tls = free_port(), free_port()
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    service = compose["services"]["mosquitto"]
    paths = {
        "/mosquitto/data/": f"{data}/",
        "/mosquitto/certs/": f"{certs}/",
        "/mosquitto/config/mosquitto.conf": str(tmp_path / "mosquitto.conf"),
        "/usr/lib/mosquitto_dynamic_security.so": str(plugin),
        "listener 1883 0.0.0.0": f"listener {plain} 127.0.0.1",
        "listener 8883 0.0.0.0": f"listener {tls} 127.0.0.1",
        "-p 1883": f"-p {plain}",
        "log_dest stdout": f"log_dest file {tmp_path / 'mosquitto.log'}",
        "$$": "$",
    }

    def local(text: str) -> str:
        for old, new in paths.items():
            text = text.replace(old, new)
        return text

    conf = local((REPO / "docker" / "mosquitto" / "mosquitto.conf").read_text(encoding="utf-8"))
    if os.geteuid() == 0:
        conf += "user root\n"
    (tmp_path / "mosquitto.conf").write_text(conf, encoding="utf-8")
    env = {**os.environ, **{k: _expand(str(v)) for k, v in service["environment"].items()}}
    assert service["command"][:2] == ["sh", "-c"]
    proc = subprocess.Popen(
        ["sh", "-c", local(service["command"][2])],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port("127.0.0.1", plain)
        wait_for_port("127.0.0.1", tls)
        health = service["healthcheck"]["test"]
        assert health[:3] == ["CMD", "sh", "-c"]
        check = subprocess.run(["sh", "-c", local(health[3])], check=False, env=env, timeout=15)
        assert check.returncode == 0, "the compose health check fails"
        _anju_on_the_production_broker(plain, tls, certs)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)


def _anju_on_the_production_broker(plain: int, tls: int, certs: Path) -> None:
    x = {k: _expand(str(v)) for k, v in COMPOSE_ANJU_ENV.items()}
    state = SqlStateStore("sqlite://")
    state.upsert_home(Home("h1", "c1"))
    models = ModelRegistry()
    models.load()
    admin = DynsecBroker(
        "127.0.0.1", plain, x["ANJU_MQTT_ADMIN_USERNAME"], x["ANJU_MQTT_ADMIN_PASSWORD"]
    )
    prov = Provisioning(CredentialStore(state.engine), state, models, admin, ManualClock())
    prov.prepare_broker(x["ANJU_MQTT_USERNAME"], x["ANJU_MQTT_PASSWORD"])
    password = prov.register("pir-1", "anju-pir-m1").password
    prov.claim("pir-1", "h1", "kitchen")
    ingest = Client(plain, x["ANJU_MQTT_USERNAME"], x["ANJU_MQTT_PASSWORD"])
    assert ingest.accepted and ingest.subscribe("anju/v1/+/+/+")
    ctx = ssl.create_default_context(cafile=str(certs / "ca.crt"))
    device = Client(tls, "dev:pir-1", password, tls=ctx)
    assert device.accepted
    assert device.publish("anju/v1/h1/pir-1/reading", b'{"v":1}').is_failure is False
    assert wait_for(lambda: ("anju/v1/h1/pir-1/reading", b'{"v":1}') in ingest.messages)
    device.close()
    ingest.close()
    anonymous = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    codes: list[Any] = []
    anonymous.on_connect = lambda _c, _u, _f, rc, _p: codes.append(rc)
    anonymous.connect("127.0.0.1", plain)
    anonymous.loop_start()
    assert wait_for(lambda: bool(codes))
    anonymous.loop_stop()
    assert codes[0].is_failure
    state.close()
