"""Upstream over TLS with the gateway's own credentials (real Mosquitto, real certificates)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from broker.mosquitto import Mosquitto, find_mosquitto
from gateway.harness import Devices, wait_until
from gateway.process import GatewayProcess
from tests.conftest import require


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    ca_key, ca, key, csr, cert = (
        folder / n for n in ("ca.key", "ca.pem", "s.key", "s.csr", "s.pem")
    )

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True)

    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        str(ca_key),
        "-out",
        str(ca),
        "-days",
        "2",
        "-subj",
        "/CN=anju-test-ca",
    )
    openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        str(key),
        "-out",
        str(csr),
        "-subj",
        "/CN=127.0.0.1",
    )
    ext = folder / "san.cnf"
    ext.write_text("subjectAltName=IP:127.0.0.1\n")
    openssl(
        "x509",
        "-req",
        "-in",
        str(csr),
        "-CA",
        str(ca),
        "-CAkey",
        str(ca_key),
        "-CAcreateserial",
        "-out",
        str(cert),
        "-days",
        "2",
        "-extfile",
        str(ext),
    )
    return ca, cert, key


def test_gateway_delivers_over_tls_with_its_credentials(tmp_path: Path) -> None:
    require(find_mosquitto() is not None, "mosquitto is not installed")
    require(shutil.which("openssl") is not None, "openssl is not installed")
    require(shutil.which("mosquitto_passwd") is not None, "mosquitto_passwd is not installed")
    ca, cert, key = _certificates(tmp_path / "tls")
    passwords = tmp_path / "passwd"
    subprocess.run(
        ["mosquitto_passwd", "-b", "-c", str(passwords), "gw-h1", "s3cret"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        ["mosquitto_passwd", "-b", str(passwords), "anju", "anju-pw"],
        check=True,
        capture_output=True,
    )
    passwords.chmod(0o600)
    local = Mosquitto(tmp_path / "local").start()
    upstream = Mosquitto(tmp_path / "upstream")
    upstream.start(
        f"certfile {cert}\nkeyfile {key}\nallow_anonymous false\npassword_file {passwords}\n"
    )
    got: list[str] = []
    anju = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="anju", protocol=mqtt.MQTTv5)
    anju.tls_set(ca_certs=str(ca), tls_version=ssl.PROTOCOL_TLS_CLIENT)
    anju.username_pw_set("anju", "anju-pw")
    anju.on_message = lambda _c, _u, m: got.append(m.topic)
    anju.on_connect = lambda c, *_: c.subscribe("anju/#", qos=1)
    anju.connect("127.0.0.1", upstream.port)
    anju.loop_start()
    common = ("--tls-ca", str(ca), "--username", "gw-h1")
    wrong = GatewayProcess(
        tmp_path / "wrong",
        "h1",
        local.port,
        upstream.port,
        *common,
        "--password",
        "nope",
        via_cli=False,
    )
    gateway = GatewayProcess(
        tmp_path / "gw",
        "h1",
        local.port,
        upstream.port,
        *common,
        "--password",
        "s3cret",
        via_cli=False,
    )
    devices = Devices(local.port, "h1")
    try:
        wrong.start()
        with pytest.raises(TimeoutError):
            wrong.wait_state(lambda s: s["upstream"] == "online", 3, "refused")
        wrong.stop()
        gateway.start()
        gateway.wait_state(lambda s: s["upstream"] == "online", 20, "gateway online over TLS")
        devices.reading("dev00", 1, 1_767_225_600_000)
        devices.flush()
        wait_until(lambda: "anju/v1/h1/dev00/reading" in got, 10, "reading over TLS")
    finally:
        devices.close()
        gateway.stop()
        wrong.stop()
        anju.loop_stop()
        upstream.stop()
        local.stop()
