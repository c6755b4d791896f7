"""SOS publish -> event on the board's live feed (SSE), under background readings.

Everything real: Mosquitto with Anju's configuration and `anju serve` in its own process (ingest
with SQLite stores, the detectors, the alarm service, the web app on uvicorn); the background load
comes from another process; an SSE client reads `/api/feed` like the board does.
Two baselines from the same run: the same SOS latency with no background load ("idle"), and the
broker hop alone (a bare paho subscriber receiving the same SOS messages under load, "mqtt").
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from broker.mosquitto import Mosquitto, free_port
from domain.model import Device, DeviceKind, Home
from domain.ports import StateStore
from domain.topics import topic
from stores.state.sql import SqlStateStore
from stores.timeseries.sqlite import SqliteTimeSeries

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
        self.split: dict[Key, tuple[float, float]] = {}  # (press -> alarm saved, saved -> client)
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
                    key = (evidence["device"], evidence["seq"])
                    arrivals.add(key, now)
                    wall_ms = time.time() * 1000
                    saved_ms = alarm["updated_ms"]
                    arrivals.split[key] = (saved_ms - evidence["ts"], wall_ms - saved_ms)


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


def summary(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(percentile(values, 50), 2), "p99_ms": round(percentile(values, 99), 2)}


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


STAGES = {
    "ingest_write": ("anju_ingest_store_write_seconds", {}),
    "detectors": ("anju_detector_batch_seconds", {}),
    "alarm_handle": ("anju_alarm_handle_seconds", {}),
    "save_alarm": ("anju_state_store_seconds", {"op": "save_alarm"}),
}


def stage_quantiles(metrics_text: str) -> dict[str, dict[str, float]]:
    """p50 / p99 (bucket upper bounds, ms) and total seconds of each stage in Anju's /metrics."""
    from prometheus_client.parser import text_string_to_metric_families

    buckets: dict[str, list[tuple[float, float]]] = {}
    sums: dict[str, float] = {}
    for family in text_string_to_metric_families(metrics_text):
        for sample in family.samples:
            if sample.name.endswith("_sum"):
                for stage, (name, labels) in STAGES.items():
                    if sample.name == f"{name}_sum" and all(
                        sample.labels.get(k) == v for k, v in labels.items()
                    ):
                        sums[stage] = sample.value
            if not sample.name.endswith("_bucket"):
                continue
            for stage, (name, labels) in STAGES.items():
                if sample.name == f"{name}_bucket" and all(
                    sample.labels.get(k) == v for k, v in labels.items()
                ):
                    bound = float(sample.labels["le"])
                    buckets.setdefault(stage, []).append((bound, sample.value))
    out: dict[str, dict[str, float]] = {}
    for stage, rows in buckets.items():
        rows.sort()
        total = rows[-1][1]
        if total <= 0:
            continue
        out[stage] = {"count": total, "total_s": round(sums.get(stage, 0.0), 3)}
        for q in (50, 99):
            bound = next(b for b, c in rows if c >= total * q / 100)
            out[stage][f"p{q}_le_ms"] = bound * 1000
    return out


class QueueDepth:
    """Samples ingest's hand-off queue depth twice a second: a backlog there (rather than in
    the broker or the socket) shows the worker is the bottleneck."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.max = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            try:
                text = httpx.get(self.url, timeout=2).text
            except httpx.HTTPError:
                continue
            for line in text.splitlines():
                if line.startswith("anju_ingest_queue_depth "):
                    self.max = max(self.max, int(float(line.split()[1])))

    def __enter__(self) -> QueueDepth:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def serve(work: Path, broker_port: int, http_port: int) -> subprocess.Popen[bytes]:
    """Anju as it runs in production: `anju serve` in its own process."""
    env = {
        **os.environ,
        "ANJU_DATA_DIR": str(work / "data"),
        "ANJU_MQTT_PORT": str(broker_port),
        "ANJU_HTTP_PORT": str(http_port),
        "ANJU_MQTT_CLIENT_ID": "bench-ingest",
        "ANJU_LOG_LEVEL": "WARNING",
    }
    env.pop("ANJU_CONFIG", None)
    log = (work / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "anju.cli", "serve"], env=env, stdout=log, stderr=log
    )
    log.close()
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{http_port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError((work / "serve.log").read_text()[-2000:])
        time.sleep(0.1)


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
        http_port = free_port()
        proc = serve(work, broker.port, http_port)
        try:
            feed, mqtt_seen = Arrivals(), Arrivals()
            ready = threading.Event()
            url = f"http://127.0.0.1:{http_port}/api/feed"
            threading.Thread(target=sse_reader, args=(url, feed, ready), daemon=True).start()
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
