"""MQTT clients for the broker access tests: connect as an account, see what the broker says."""

from __future__ import annotations

import ssl
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from broker.acl import admin_acls
from broker.acl_dynsec import BrokerAccount, write_config
from broker.credentials import hash_password

ADMIN, ADMIN_PW = "anju-admin", "admin-pw-for-tests"
INGEST, INGEST_PW = "anju-ingest", "ingest-pw-for-tests"


def write_broker_file(path: Path, accounts: list[BrokerAccount]) -> None:
    """Anju's rows plus the admin account (its password comes from settings, like production)."""
    admin = BrokerAccount(ADMIN, hash_password(ADMIN_PW), admin_acls(), "admin")
    write_config(path, [admin, *accounts])


class Client:
    """A v5 client that records CONNACK, SUBACK, PUBACK reason codes, messages and disconnects."""

    def __init__(
        self,
        port: int,
        username: str,
        password: str,
        *,
        client_id: str | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.connack: Any = None
        self.connected = threading.Event()
        self.disconnected = threading.Event()
        self.disconnected_at = 0.0
        self.messages: list[tuple[str, bytes]] = []
        self.suback: list[Any] = []
        self.puback: dict[int, Any] = {}
        self._subacked = threading.Event()
        self.c = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id or username, protocol=mqtt.MQTTv5
        )
        self.c.username_pw_set(username, password)
        if tls is not None:
            self.c.tls_set_context(tls)
        self.c.on_connect = self._on_connect
        self.c.on_disconnect = self._on_disconnect
        self.c.on_subscribe = self._on_subscribe
        self.c.on_publish = lambda _c, _u, mid, rc, _p: self.puback.__setitem__(mid, rc)
        self.c.on_message = lambda _c, _u, m: self.messages.append((m.topic, bytes(m.payload)))
        self.c.connect("127.0.0.1", port, keepalive=30)
        self.c.loop_start()
        assert self.connected.wait(10), "no CONNACK"

    def _on_connect(self, _c: Any, _u: Any, _f: Any, rc: Any, _p: Any) -> None:
        self.connack = rc
        self.connected.set()

    def _on_disconnect(self, _c: Any, _u: Any, _f: Any, _rc: Any, _p: Any) -> None:
        self.disconnected_at = time.monotonic()
        self.disconnected.set()

    def _on_subscribe(self, _c: Any, _u: Any, _mid: int, codes: list[Any], _p: Any) -> None:
        self.suback = codes
        self._subacked.set()

    @property
    def accepted(self) -> bool:
        return not self.connack.is_failure

    def subscribe(self, filter_: str) -> bool:
        """True when the broker granted the subscription."""
        self._subacked.clear()
        self.c.subscribe(filter_, qos=1)
        assert self._subacked.wait(10), "no SUBACK"
        return not self.suback[0].is_failure

    def publish(self, topic: str, payload: bytes) -> Any:
        """The PUBACK reason code (v5: Mosquitto answers 'Not authorized' to a denied publish)."""
        info = self.c.publish(topic, payload, qos=1)
        deadline = time.monotonic() + 10
        while info.mid not in self.puback and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.puback.get(info.mid)

    def close(self) -> None:
        self.c.disconnect()
        self.c.loop_stop()


def wait_for(predicate: Any, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return bool(predicate())
