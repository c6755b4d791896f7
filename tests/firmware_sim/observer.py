"""A plain paho subscriber that records everything under anju/v1/# (test helper)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion


@dataclass(frozen=True, slots=True)
class Seen:
    at: float
    topic: str
    payload: bytes
    retain: bool


class Observer:
    def __init__(self, port: int, host: str = "127.0.0.1", pattern: str = "anju/v1/#") -> None:
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"observer-{port}")
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *_a: self._ready.set()
        self.client.connect(host, port)
        self.client.subscribe(pattern, qos=1)
        self.client.loop_start()
        if not self._ready.wait(10):
            raise TimeoutError("observer did not subscribe")

    def _on_message(self, _c: mqtt.Client, _u: object, msg: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.seen.append(Seen(time.time(), msg.topic, bytes(msg.payload), bool(msg.retain)))

    def snapshot(self) -> list[Seen]:
        with self._lock:
            return list(self.seen)

    def wait_for(self, needle: bytes, timeout: float = 30.0) -> Seen | None:
        end = time.time() + timeout
        while time.time() < end:
            for s in self.snapshot():
                if needle in s.payload:
                    return s
            time.sleep(0.1)
        return None

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()
