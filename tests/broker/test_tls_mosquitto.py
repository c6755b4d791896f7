"""TLS on the MQTT listener (as in docker/mosquitto/mosquitto.conf) with a device's credential.

A throwaway CA and server certificate are made with openssl; Mosquitto gets a TLS listener
beside its plain one; a provisioned device connects over TLS with its own account.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path

from broker.acl import contract_publish_topics, contract_subscribe_topics, device_acls
from broker.acl_dynsec import BrokerAccount, find_plugin, mosquitto_lines
from broker.credentials import hash_password, new_password
from broker.mosquitto import Mosquitto, find_mosquitto, free_port, wait_for_port
from tests.broker.acl_clients import Client, write_broker_file
from tests.conftest import require


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
