"""Real parts to drive a gateway with: devices on the local broker, a recorder upstream (the
gateway itself runs as its own process: `process.py`). Used by the tests and by `anju bench
gateway`; no fakes here.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def _client(client_id: str) -> mqtt.Client:
    return mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)


def _persistent() -> Properties:
    props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    props.SessionExpiryInterval = 3600
    return props


@dataclass(frozen=True, slots=True)
class Received:
    topic: str
    payload: bytes
    at: float  # time.time() on arrival

    @property
    def device(self) -> str:
        return self.topic.split("/")[3]

    @property
    def channel(self) -> str:
        return self.topic.split("/")[4]

    def body(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.payload)
        return value


class Recorder:
    """Anju's side: a persistent QoS 1 subscriber on the upstream broker that keeps everything."""

    def __init__(self, port: int, topic_filter: str = "anju/#", client_id: str = "recorder"):
        self.messages: list[Received] = []
        self._lock = threading.Lock()
        self.client = _client(client_id)
        self.client.on_message = self._on_message
        self.client.on_connect = lambda c, *_: c.subscribe(topic_filter, qos=1)
        self.client.reconnect_delay_set(1, 1)
        self.client.connect("127.0.0.1", port, clean_start=False, properties=_persistent())
        self.client.loop_start()

    def _on_message(self, _c: mqtt.Client, _u: object, message: mqtt.MQTTMessage) -> None:
        item = Received(message.topic, bytes(message.payload), time.time())
        with self._lock:
            self.messages.append(item)

    def snapshot(self) -> list[Received]:
        with self._lock:
            return list(self.messages)

    def count(self, channel: str | None = None, device_prefix: str = "") -> int:
        return sum(
            1
            for m in self.snapshot()
            if (channel is None or m.channel == channel) and m.device.startswith(device_prefix)
        )

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


class SubRecorder:
    """Anju's side as a C program (mosquitto_sub, persistent session, QoS 1, reconnecting on its
    own): a recorder that is not the bottleneck when the gateway replays thousands a second."""

    def __init__(self, port: int, workdir: Path, topic_filter: str = "anju/#") -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.path = workdir / "recorded.txt"
        self._out = self.path.open("wb")
        self.proc = subprocess.Popen(
            [
                "mosquitto_sub",
                "-p",
                str(port),
                "-V",
                "5",
                "-c",
                "-i",
                "sub-recorder",
                "-x",
                "3600",
                "-q",
                "1",
                "-t",
                topic_filter,
                "-F",
                "%U %t %p",
            ],
            stdout=self._out,
            stderr=subprocess.DEVNULL,
        )
        self.messages: list[Received] = []
        self._counts: Counter[tuple[str, str]] = Counter()
        self._offset = 0
        self._partial = b""

    def _read(self) -> None:
        with self.path.open("rb") as source:
            source.seek(self._offset)
            chunk = source.read()
        self._offset += len(chunk)
        lines = (self._partial + chunk).split(b"\n")
        self._partial = lines.pop()
        for line in lines:
            at, topic, payload = line.split(b" ", 2)
            item = Received(topic.decode(), payload, float(at))
            self.messages.append(item)
            self._counts[item.device, item.channel] += 1

    def snapshot(self) -> list[Received]:
        self._read()
        return list(self.messages)

    def count(self, channel: str | None = None, device_prefix: str = "") -> int:
        """Cheap to poll: counted as lines arrive, not by walking every message."""
        self._read()
        return sum(
            n
            for (device, chan), n in self._counts.items()
            if (channel is None or chan == channel) and device.startswith(device_prefix)
        )

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        self._out.close()


class Devices:
    """The home's devices: one paho publisher on the local broker speaking contract v1."""

    WINDOW = 1000

    def __init__(self, port: int, home: str, client_id: str = "devices") -> None:
        self.home = home
        self.client = _client(client_id)
        self.client.max_inflight_messages_set(0)  # the semaphore is the window
        self._permits = threading.Semaphore(self.WINDOW)
        self.client.on_publish = lambda *_: self._permits.release()
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        self._last: mqtt.MQTTMessageInfo | None = None

    def _send(self, device: str, channel: str, body: dict[str, Any], retain: bool = False) -> None:
        topic = f"anju/v1/{self.home}/{device}/{channel}"
        payload = json.dumps(body)
        # at most WINDOW unacknowledged: paho's own queue beyond its in-flight limit is walked
        # on every PUBACK and collapses under a burst (and refuses beyond 65,535)
        self._permits.acquire()
        info = self.client.publish(topic, payload, qos=1, retain=retain)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            raise RuntimeError(f"publish failed: rc={info.rc}")
        self._last = info

    def reading(self, device: str, seq: int, ts: int, heart_rate: float = 72.0) -> None:
        self._send(
            device, "reading", {"v": 1, "seq": seq, "ts": ts, "values": {"heart_rate": heart_rate}}
        )

    def event(self, device: str, seq: int, ts: int, kind: str, **fields: Any) -> None:
        self._send(device, "event", {"v": 1, "seq": seq, "ts": ts, "type": kind, **fields})

    def status(self, device: str, seq: int, ts: int) -> None:
        self._send(device, "status", {"v": 1, "seq": seq, "ts": ts, "battery": 80})

    def flush(self, timeout: float = 60.0) -> None:
        """Wait until the local broker has acknowledged everything sent so far."""
        if self._last is not None:
            self._last.wait_for_publish(timeout)
        wait_until(lambda: len(self.client._out_messages) == 0, timeout, "local PUBACKs")

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()
