"""SOS publish -> event on the board's live feed (SSE), under background readings.

Everything real: Mosquitto with Anju's configuration and `anju serve` in its own process (ingest
with SQLite stores, the detectors, the alarm service, the web app on uvicorn); the background load
comes from another process; an SSE client reads `/api/feed` like the board does.
Two baselines from the same run: the same SOS latency with no background load ("idle"), and the
broker hop alone (a bare paho subscriber receiving the same SOS messages under load, "mqtt").
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import paho.mqtt.client as mqtt

from benchmarks.latency import Arrivals, Key, latencies, percentile, summary
from benchmarks.load import Loader, client
from benchmarks.served import QueueDepth, admin_headers, cpu_seconds, serve, stage_quantiles
from broker.mosquitto import Mosquitto, free_port
from domain.model import Device, DeviceKind, Home
from domain.ports import StateStore
from domain.topics import topic
from stores.state.sql import SqlStateStore
from stores.timeseries.sqlite import SqliteTimeSeries


def sse_reader(
    url: str, arrivals: Arrivals, ready: threading.Event, headers: dict[str, str] | None = None
) -> None:
    """Read the live feed like the board does; `ready` is set on its opening `hello` event."""
    with (
        httpx.Client(timeout=None, headers=headers) as http,
        http.stream("GET", url) as response,
    ):
        response.raise_for_status()
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
                    key = (evidence["device"], evidence["seq"])
                    arrivals.add(key, now)
                    wall_ms = time.time() * 1000
                    saved_ms = alarm["updated_ms"]
                    arrivals.split[key] = (saved_ms - evidence["ts"], wall_ms - saved_ms)


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


def splits(arrivals: Arrivals, sent: dict[Key, float]) -> dict[str, float]:
    """Where the time went under load (wall clock, ms resolution): press -> alarm saved
    (broker, ingest, store, detectors, alarm service) and saved -> on the SSE client."""
    with arrivals.cond:
        pairs = [arrivals.split[k] for k in sent if k in arrivals.split]
    first = [a for a, _ in pairs]
    second = [b for _, b in pairs]
    return {
        "to_alarm_p50_ms": round(percentile(first, 50), 1),
        "to_alarm_p99_ms": round(percentile(first, 99), 1),
        "alarm_to_client_p50_ms": round(percentile(second, 50), 1),
        "alarm_to_client_p99_ms": round(percentile(second, 99), 1),
    }


def bare_subscriber(port: int, arrivals: Arrivals) -> mqtt.Client:
    """The baseline: a bare paho subscriber that sees the same SOS messages."""
    bare = client(port, "bench-bare-subscriber")

    def on_message(_c: Any, _u: Any, msg: mqtt.MQTTMessage) -> None:
        now = time.perf_counter()
        body = json.loads(msg.payload)
        arrivals.add((msg.topic.split("/")[3], body["seq"]), now)

    bare.on_message = on_message
    bare.subscribe("anju/v1/+/+/event", qos=1)
    return bare


def run(
    n: int = 200,
    *,
    rate: float = 2000.0,
    idle_n: int = 50,
    homes: int = 50,
    pendants: int = 4,
    gap_s: float = 0.1,
    settle_s: float = 2.0,
    log: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="anju-bench-alerts-") as tmp:
        work = Path(tmp)
        broker = Mosquitto(work / "mosquitto").start()
        store = SqlStateStore(f"sqlite:///{work / 'data' / 'state.db'}")
        buttons, wearables = provision(store, homes, pendants)
        store.close()
        headers = admin_headers(work)
        http_port = free_port()
        proc = serve(work, broker.port, http_port)
        try:
            feed, mqtt_seen = Arrivals(), Arrivals()
            ready = threading.Event()
            url = f"http://127.0.0.1:{http_port}/api/feed"
            threading.Thread(
                target=sse_reader, args=(url, feed, ready, headers), daemon=True
            ).start()
            if not ready.wait(10):
                raise RuntimeError("the live feed did not answer")
            bare = bare_subscriber(broker.port, mqtt_seen)
            sos_client = client(broker.port, "bench-sos")
            seq0 = int(time.time() * 1000)
            time.sleep(0.5)

            log(f"idle: {idle_n} SOS presses")
            idle_sent = press(sos_client, buttons, idle_n, gap_s, seq0)
            idle, idle_lost = latencies(idle_sent, feed, 10)

            log(f"load: {n} SOS presses under {rate:.0f} readings/s")
            cpu_before, wall_before = cpu_seconds(proc.pid), time.perf_counter()
            depth = QueueDepth(f"http://127.0.0.1:{http_port}/metrics")
            with (
                depth,
                Loader(broker.port, wearables, rate, n * gap_s * 1.1 + 1.0, settle_s) as loader,
            ):
                load_sent = press(sos_client, buttons, n, gap_s, seq0 + idle_n)
                loaded, lost = latencies(load_sent, feed, 10)
            sent, failed, elapsed = loader.result
            serve_cpu = (cpu_seconds(proc.pid) - cpu_before) / (time.perf_counter() - wall_before)
            metrics_text = httpx.get(f"http://127.0.0.1:{http_port}/metrics", timeout=10).text
            raw, raw_lost = latencies(load_sent, mqtt_seen, 5)
            sos_client.loop_stop()
            bare.loop_stop()
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                code = proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                code = proc.wait()
            broker.stop()
        if code != 0:
            raise RuntimeError(f"anju serve exited with {code}: {(work / 'serve.log').read_text()}")
        ts_store = SqliteTimeSeries(work / "data" / "timeseries.db")
        stored = ts_store.count() - idle_n - n
        ts_store.close()
    return {
        **summary(loaded),
        "background_per_s": round(sent / elapsed, 1),
        "n": n,
        "lost": lost,
        "idle_p50_ms": summary(idle)["p50_ms"],
        "idle_p99_ms": summary(idle)["p99_ms"],
        "idle_lost": idle_lost,
        "mqtt_p50_ms": summary(raw)["p50_ms"],
        "mqtt_p99_ms": summary(raw)["p99_ms"],
        "mqtt_lost": raw_lost,
        "p99_over_idle_p99": round(percentile(loaded, 99) / max(percentile(idle, 99), 1e-9), 2),
        "background_sent": sent,
        "background_failed": failed,
        "background_stored": stored,
        "max_ms": round(max(loaded, default=float("nan")), 2),
        "split": splits(feed, load_sent),
        "stages": stage_quantiles(metrics_text),
        "serve_cpu_cores": round(serve_cpu, 2),
        "ingest_queue_max": depth.max,
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
