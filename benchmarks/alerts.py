"""SOS publish -> event on the board's live feed (SSE), under background readings.

Everything real: Mosquitto with Anju's configuration, ingest with SQLite stores, the detectors,
the alarm service and the web app on uvicorn; an SSE client reads `/api/feed` like the board does.
Two baselines from the same run: the same SOS latency with no background load ("idle"), and the
broker hop alone (a bare paho subscriber receiving the same SOS messages under load, "mqtt").
"""

from __future__ import annotations

import json
import random
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from anju.settings import load
from anju.wiring import build
from broker.mosquitto import Mosquitto, free_port
from domain.model import Device, DeviceKind, Home
from domain.ports import StateStore
from domain.topics import topic

Key = tuple[str, int]  # (device_id, seq)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


class Arrivals:
    """Arrival times (perf_counter) by (device, seq), with a condition to wait on."""

    def __init__(self) -> None:
        self.at: dict[Key, float] = {}
        self.cond = threading.Condition()

    def add(self, key: Key, when: float) -> None:
        with self.cond:
            self.at.setdefault(key, when)
            self.cond.notify_all()

    def wait(self, keys: list[Key], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self.cond:
            while any(k not in self.at for k in keys):
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self.cond.wait(left)


def sse_reader(url: str, arrivals: Arrivals, ready: threading.Event) -> None:
    with httpx.Client(timeout=None) as client, client.stream("GET", url) as response:
        for line in response.iter_lines():
            if line.startswith("data: "):
                now = time.perf_counter()
                data = json.loads(line[6:])
                alarm = data.get("alarm")
                if alarm is None:
                    ready.set()
                    continue
                evidence = alarm.get("evidence", {})
                if "device" in evidence and "seq" in evidence:
                    arrivals.add((evidence["device"], evidence["seq"]), now)


def client(port: int, client_id: str) -> mqtt.Client:
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    c.max_queued_messages_set(0)
    c.connect("127.0.0.1", port)
    c.loop_start()
    return c


def provision(store: StateStore, homes: int, pendants: int) -> tuple[list[Device], list[Device]]:
    buttons, wearables = [], []
    for h in range(homes):
        home_id = f"bench-{h:03d}"
        store.upsert_home(Home(home_id, "bench", address=f"bench home {h}"))
        button = Device(f"{home_id}-sos", home_id, DeviceKind.SOS_BUTTON)
        store.upsert_device(button)
        buttons.append(button)
        for p in range(pendants):
            wearable = Device(f"{home_id}-p{p}", home_id, DeviceKind.PENDANT)
            store.upsert_device(wearable)
            wearables.append(wearable)
    return buttons, wearables


class Background:
    """Publishes readings at `rate` per second, spread over the wearables, paced every 10 ms."""

    def __init__(self, port: int, devices: list[Device], rate: float) -> None:
        self.client = client(port, "bench-background")
        self.devices = devices
        self.rate = rate
        self.sent = 0
        self.failed = 0
        self.elapsed = 0.0
        self.stop = threading.Event()
        self.seq = int(time.time() * 1000)
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        started = time.perf_counter()
        i = 0
        while not self.stop.is_set():
            due = int((time.perf_counter() - started) * self.rate)
            while self.sent + self.failed < due:
                device = self.devices[i % len(self.devices)]
                i += 1
                self.seq += 1
                body = {
                    "v": 1,
                    "seq": self.seq,
                    "ts": int(time.time() * 1000),
                    "values": {"heart_rate": 60 + i % 40, "steps": i % 10_000},
                }
                name = topic(device.home_id, device.device_id, "reading")
                info = self.client.publish(name, json.dumps(body), qos=1)
                if info.rc == mqtt.MQTT_ERR_SUCCESS:
                    self.sent += 1
                else:
                    self.failed += 1
            time.sleep(0.01)
        self.elapsed = time.perf_counter() - started

    def __enter__(self) -> Background:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
        self.client.loop_stop()
        self.client.disconnect()


def press(
    sos_client: mqtt.Client, buttons: list[Device], n: int, gap_s: float, seq0: int
) -> dict[Key, float]:
    """Press SOS n times on random buttons, `gap_s` apart (jittered); returns send times."""
    rng = random.Random(seq0)
    sent: dict[Key, float] = {}
    for k in range(n):
        button = rng.choice(buttons)
        seq = seq0 + k
        body = {"v": 1, "seq": seq, "ts": int(time.time() * 1000), "type": "sos"}
        name = topic(button.home_id, button.device_id, "event")
        payload = json.dumps(body)
        sent[(button.device_id, seq)] = time.perf_counter()
        info = sos_client.publish(name, payload, qos=1)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            raise RuntimeError(f"SOS publish failed: rc={info.rc}")
        time.sleep(gap_s * (0.5 + rng.random()))
    return sent


def latencies(
    sent: dict[Key, float], arrivals: Arrivals, timeout: float
) -> tuple[list[float], int]:
    arrivals.wait(list(sent), timeout)
    with arrivals.cond:
        got = [(arrivals.at[k] - t) * 1000 for k, t in sent.items() if k in arrivals.at]
    return got, len(sent) - len(got)


def summary(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(percentile(values, 50), 2), "p99_ms": round(percentile(values, 99), 2)}


def run(
    n: int = 200,
    *,
    rate: float = 2000.0,
    idle_n: int = 50,
    homes: int = 50,
    pendants: int = 4,
    gap_s: float = 0.1,
    log: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="anju-bench-alerts-") as tmp:
        work = Path(tmp)
        broker = Mosquitto(work / "mosquitto").start()
        settings = load(
            data_dir=work / "data",
            mqtt_port=broker.port,
            http_port=free_port(),
            mqtt_client_id="bench-ingest",
            log_level="WARNING",
        )
        anju = build(settings)
        try:
            buttons, wearables = provision(anju.state_store, homes, pendants)
            anju.start()
            feed, mqtt_seen = Arrivals(), Arrivals()
            ready = threading.Event()
            threading.Thread(
                target=sse_reader, args=(f"{anju.url}/api/feed", feed, ready), daemon=True
            ).start()
            if not ready.wait(10):
                raise RuntimeError("the live feed did not answer")
            bare = client(broker.port, "bench-bare-subscriber")

            def on_message(_c: Any, _u: Any, msg: mqtt.MQTTMessage) -> None:
                now = time.perf_counter()
                body = json.loads(msg.payload)
                mqtt_seen.add((msg.topic.split("/")[3], body["seq"]), now)

            bare.on_message = on_message
            bare.subscribe("anju/v1/+/+/event", qos=1)
            sos_client = client(broker.port, "bench-sos")
            seq0 = int(time.time() * 1000)
            time.sleep(0.5)

            log(f"idle: {idle_n} SOS presses")
            idle_sent = press(sos_client, buttons, idle_n, gap_s, seq0)
            idle, idle_lost = latencies(idle_sent, feed, 10)

            log(f"load: {n} SOS presses under {rate:.0f} readings/s")
            stored_before = anju.ts_store.count()
            with Background(broker.port, wearables, rate) as background:
                time.sleep(2.0)  # let the load settle
                load_sent = press(sos_client, buttons, n, gap_s, seq0 + idle_n)
                loaded, lost = latencies(load_sent, feed, 10)
            raw, raw_lost = latencies(load_sent, mqtt_seen, 5)
            deadline = time.monotonic() + 30
            expected = stored_before + background.sent + n
            while anju.ts_store.count() < expected and time.monotonic() < deadline:
                time.sleep(0.2)
            stored = anju.ts_store.count() - stored_before - n
            sos_client.loop_stop()
            bare.loop_stop()
        finally:
            anju.stop()
            broker.stop()
    return {
        **summary(loaded),
        "background_per_s": round(background.sent / background.elapsed, 1),
        "n": n,
        "lost": lost,
        "idle_p50_ms": summary(idle)["p50_ms"],
        "idle_p99_ms": summary(idle)["p99_ms"],
        "idle_lost": idle_lost,
        "mqtt_p50_ms": summary(raw)["p50_ms"],
        "mqtt_p99_ms": summary(raw)["p99_ms"],
        "mqtt_lost": raw_lost,
        "p99_over_idle_p99": round(percentile(loaded, 99) / max(percentile(idle, 99), 1e-9), 2),
        "background_sent": background.sent,
        "background_failed": background.failed,
        "background_stored": stored,
        "max_ms": round(max(loaded, default=float("nan")), 2),
    }
