"""Helpers for end-to-end tests: provisioning, a contract-speaking publisher, an SSE reader."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from anju.settings import Settings
from broker.mosquitto import Mosquitto, free_port
from domain.model import Device, DeviceKind, Home, Resident, Room
from domain.ports import StateStore
from domain.topics import topic

CHROMIUM = Path("/usr/bin/chromium")  # Debian's; Playwright cannot download one here
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def e2e_settings(broker: Mosquitto, tmp_path: Path, client_id: str) -> Settings:
    """An Anju on the test's own Mosquitto, its data in `tmp_path`, the web on a free port."""
    return Settings(
        data_dir=tmp_path / "data",
        mqtt_port=broker.port,
        http_port=free_port(),
        mqtt_client_id=client_id,
    )


def provision(store: StateStore, home_id: str = "h1") -> Device:
    store.upsert_home(Home(home_id, "jinghong-01", address="景洪市勐泐大道 3 号"))
    store.upsert_resident(Resident(f"{home_id}-r", home_id, "玉罕"))
    button = Device(f"{home_id}-sos", home_id, DeviceKind.SOS_BUTTON, room=Room.BEDROOM)
    store.upsert_device(button)
    store.upsert_device(Device(f"{home_id}-pend", home_id, DeviceKind.PENDANT))
    return button


class Publisher:
    """A paho QoS 1 publisher that checks every publish."""

    def __init__(self, port: int, client_id: str = "e2e-pub") -> None:
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()

    def send(self, device: Device, channel: str, body: dict[str, Any]) -> mqtt.MQTTMessageInfo:
        info = self.client.publish(
            topic(device.home_id, device.device_id, channel),  # type: ignore[arg-type]
            json.dumps(body),
            qos=1,
        )
        assert info.rc == mqtt.MQTT_ERR_SUCCESS, info.rc
        return info

    def sos(self, device: Device, seq: int) -> float:
        sent = time.perf_counter()
        self.send(
            device, "event", {"v": 1, "seq": seq, "ts": int(time.time() * 1000), "type": "sos"}
        )
        return sent

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


@dataclass
class SseReader:
    """Reads `/api/feed` on a thread; keeps (event, data, perf_counter at arrival)."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)  # e.g. a bearer token
    events: list[tuple[str, dict[str, Any], float]] = field(default_factory=list)
    hello: threading.Event = field(default_factory=threading.Event)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def start(self) -> SseReader:
        threading.Thread(target=self._run, daemon=True).start()
        assert self.hello.wait(10), "no hello from the feed"
        return self

    def _run(self) -> None:
        try:
            with (
                httpx.Client(timeout=None, headers=self.headers) as client,
                client.stream("GET", self.url) as r,
            ):
                kind = ""
                for line in r.iter_lines():
                    if line.startswith("event: "):
                        kind = line[7:]
                    elif line.startswith("data: "):
                        data = json.loads(line[6:])
                        with self.changed:
                            self.events.append((kind, data, time.perf_counter()))
                            self.changed.notify_all()
                        if kind == "hello":
                            self.hello.set()
        except httpx.HTTPError:
            return

    def wait_for(self, pred: Any, timeout: float) -> tuple[str, dict[str, Any], float] | None:
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for event in self.events:
                    if pred(event[0], event[1]):
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.changed.wait(left)


def watch_policy(page: Any) -> list[str]:
    """Collects what the page's Content-Security-Policy refused (the page still works, quietly
    broken); assert it stays empty."""
    refused: list[str] = []

    def note(message: Any) -> None:
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    page.on("console", note)
    return refused
