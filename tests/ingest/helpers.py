"""Test helpers for ingest: real stores in a temp folder, provisioning, a QoS 1 publisher."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from domain.model import Device, DeviceKind, Home
from domain.topics import topic
from stores.state.sql import SqlStateStore
from stores.timeseries.sqlite import SqliteTimeSeries


def open_stores(folder: Path) -> tuple[SqliteTimeSeries, SqlStateStore]:
    folder.mkdir(parents=True, exist_ok=True)
    return SqliteTimeSeries(folder / "ts.db"), SqlStateStore(f"sqlite:///{folder / 'state.db'}")


def provision(state: SqlStateStore, homes: dict[str, Iterable[str]]) -> None:
    for home_id, devices in homes.items():
        state.upsert_home(Home(home_id, "c1"))
        for device_id in devices:
            state.upsert_device(Device(device_id, home_id, DeviceKind.PENDANT))


def reading(seq: int, ts_ms: int | None = None, heart_rate: float = 70.0) -> bytes:
    ts = int(time.time() * 1000) if ts_ms is None else ts_ms
    return json.dumps({"v": 1, "seq": seq, "ts": ts, "values": {"heart_rate": heart_rate}}).encode()


def wait_until(condition: Callable[[], bool], timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(0.02)


class Publisher:
    """A device-side client: MQTT v5, persistent session, QoS 1, every publish checked."""

    def __init__(self, port: int, client_id: str = "test-publisher") -> None:
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5
        )
        self.client.max_queued_messages_set(0)
        self._connected = threading.Event()
        self.client.on_connect = self._on_connect
        self.client.on_publish = self._on_publish
        self.sent = 0  # publish() calls
        self.acked = 0  # PUBACKs from the broker (paho resends what a disconnect interrupted)
        props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        props.SessionExpiryInterval = 3600
        self.client.reconnect_delay_set(1, 2)
        self.client.connect_async("127.0.0.1", port, clean_start=False, properties=props)
        self.client.loop_start()
        if not self._connected.wait(10):
            raise TimeoutError("publisher could not connect")

    def _on_connect(self, *_args: Any) -> None:
        self._connected.set()

    def _on_publish(self, *_args: Any) -> None:
        self.acked += 1

    def publish(self, topic_name: str, payload: bytes) -> None:
        info = self.client.publish(topic_name, payload, qos=1)
        while info.rc == mqtt.MQTT_ERR_QUEUE_SIZE:  # 65,535 in flight: wait and try again
            time.sleep(0.01)
            info = self.client.publish(topic_name, payload, qos=1)
        # NO_CONN: paho keeps the message and sends it after the reconnect
        assert info.rc in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_NO_CONN), info.rc
        self.sent += 1

    def reading(self, home: str, device: str, seq: int, **kw: Any) -> None:
        self.publish(topic(home, device, "reading"), reading(seq, **kw))

    def flush(self, timeout: float = 60.0) -> None:
        """Wait until the broker acknowledged every publish."""
        wait_until(lambda: self.acked >= self.sent, timeout, "broker PUBACKs")

    def close(self) -> None:
        self.flush()
        self.client.disconnect()
        self.client.loop_stop()
