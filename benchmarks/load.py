"""Background readings over MQTT from their own process (so the load generator does not share a
GIL with what it measures), settled before the measurement starts."""

from __future__ import annotations

import json
import multiprocessing
import time
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from domain.model import Device
from domain.topics import topic


def client(port: int, client_id: str) -> mqtt.Client:
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    c.max_queued_messages_set(0)
    c.connect("127.0.0.1", port)
    c.loop_start()
    return c


def background(port: int, devices: list[tuple[str, str]], rate: float, seconds: float) -> Any:
    """Publish readings at `rate` per second for `seconds`, paced every 10 ms (its own process,
    so the load generator does not share a GIL with what it measures). Returns (sent, failed,
    elapsed) through the exit queue."""
    c = client(port, "bench-background")
    sent = failed = i = 0
    seq = int(time.time() * 1000)
    started = time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        due = int(elapsed * rate)
        while sent + failed < due:
            home_id, device_id = devices[i % len(devices)]
            i += 1
            seq += 1
            body = {
                "v": 1,
                "seq": seq,
                "ts": int(time.time() * 1000),
                "values": {"heart_rate": 60 + i % 40, "steps": i % 10_000},
            }
            info = c.publish(topic(home_id, device_id, "reading"), json.dumps(body), qos=1)
            if info.rc == mqtt.MQTT_ERR_SUCCESS:
                sent += 1
            else:
                failed += 1
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    time.sleep(0.5)  # let the last PUBACKs come back before disconnecting
    c.loop_stop()
    c.disconnect()
    return sent, failed, elapsed


def _background_main(args: tuple[Any, ...], out: Any) -> None:
    out.put(background(*args))


class Loader:
    """The background publisher in its own process, settled before the measurement starts."""

    def __init__(
        self, port: int, devices: list[Device], rate: float, seconds: float, settle_s: float = 2.0
    ) -> None:
        self.settle_s = settle_s
        self.seconds = settle_s + seconds
        ctx = multiprocessing.get_context("spawn")
        self.out: Any = ctx.Queue()
        pairs = [(d.home_id, d.device_id) for d in devices]
        self.proc = ctx.Process(
            target=_background_main, args=((port, pairs, rate, self.seconds), self.out)
        )
        self.result: tuple[int, int, float] = (0, 0, 1.0)

    def __enter__(self) -> Loader:
        self.proc.start()
        time.sleep(self.settle_s)
        return self

    def __exit__(self, *exc: object) -> None:
        self.result = self.out.get(timeout=self.seconds + 60)
        self.proc.join(10)
