"""Ingest throughput against a bare paho subscriber, through a real Mosquitto, in the same run.

Each round publishes N QoS 1 readings (spread over `devices` provisioned devices) once, while
two persistent sessions are subscribed but offline: the baseline's (`anju/v1/+/+/+`, a bare paho
client that only `json.loads` each message) and ingest's (its `$share` subscription). Both queues
hold the same N messages; then each drains its own queue, one after the other (the order swaps
every round). Baseline: time from connect to the N-th message. Ingest: time from `start()` to
the N-th message accepted, i.e. decoded, validated, deduplicated, written to SQLite in durable
batches and acknowledged. Lost and duplicated readings are counted from the store. Rounds use a
fresh time-series file, so every round does the same work; figures are medians over rounds.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from broker.mosquitto import Mosquitto
from domain.clock import SystemClock
from domain.decode import Message
from domain.model import Device, DeviceKind, Home
from domain.topics import UPLINK_FILTER, topic
from ingest.service import IngestOptions, IngestService
from stores.state.sql import SqlStateStore
from stores.timeseries.sqlite import SqliteTimeSeries

BASELINE_ID = "bench-baseline"
INGEST_ID = "bench-ingest"
DEVICES_PER_HOME = 10


def _session_props(expiry_s: int = 3600) -> Properties:
    props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    props.SessionExpiryInterval = expiry_s
    return props


def _client(client_id: str) -> mqtt.Client:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    client.max_queued_messages_set(0)
    return client


def _connect(client: mqtt.Client, port: int, subscribe: str | None = None) -> None:
    ready = threading.Event()

    def on_connect(c: mqtt.Client, _u: Any, _f: Any, _rc: Any, _p: Any) -> None:
        if subscribe is None:
            ready.set()
        else:
            c.subscribe(subscribe, qos=1)

    client.on_connect = on_connect
    client.on_subscribe = lambda *_a: ready.set()
    client.connect("127.0.0.1", port, clean_start=False, properties=_session_props())
    client.loop_start()
    if not ready.wait(10):
        raise TimeoutError(f"{client} could not connect/subscribe")


def _park_session(port: int, client_id: str, subscription: str) -> None:
    """Create a persistent session with its subscription, then leave: the broker queues for it."""
    client = _client(client_id)
    _connect(client, port, subscription)
    client.disconnect()
    client.loop_stop()


def _publish(port: int, devices: Sequence[tuple[str, str]], per_device: int, first_seq: int) -> int:
    client = _client("bench-publisher")
    acked = [0]
    lock = threading.Lock()

    def on_publish(*_a: Any) -> None:
        with lock:
            acked[0] += 1

    client.on_publish = on_publish
    _connect(client, port)
    sent = 0
    now = int(time.time() * 1000)
    for k in range(per_device):
        seq = first_seq + k
        for home_id, device_id in devices:
            payload = b'{"v":1,"seq":%d,"ts":%d,"values":{"heart_rate":%d,"battery":80}}' % (
                seq,
                now + k,
                60 + seq % 40,
            )
            name = topic(home_id, device_id, "reading")
            info = client.publish(name, payload, qos=1)
            while info.rc == mqtt.MQTT_ERR_QUEUE_SIZE:  # 65,535 in flight: let PUBACKs come
                time.sleep(0.005)
                info = client.publish(name, payload, qos=1)
            if info.rc != mqtt.MQTT_ERR_SUCCESS:
                raise RuntimeError(f"publish failed: {mqtt.error_string(info.rc)}")
            sent += 1
    deadline = time.monotonic() + 120
    while acked[0] < sent and time.monotonic() < deadline:
        time.sleep(0.01)
    client.disconnect()
    client.loop_stop()
    if acked[0] < sent:
        raise RuntimeError(f"broker acknowledged {acked[0]} of {sent}")
    return sent


def _baseline(port: int, n: int, timeout: float) -> float:
    """Seconds for a bare paho subscriber to take n queued messages, json.loads each."""
    done = threading.Event()
    count = [0]

    def on_message(_c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        json.loads(msg.payload)
        count[0] += 1
        if count[0] >= n:
            done.set()

    client = _client(BASELINE_ID)
    client.on_message = on_message
    started = time.perf_counter()
    client.connect("127.0.0.1", port, clean_start=False, properties=_session_props())
    client.loop_start()
    finished = done.wait(timeout)
    elapsed = time.perf_counter() - started
    client.disconnect()
    client.loop_stop()
    if not finished:
        raise RuntimeError(f"baseline received {count[0]} of {n}")
    return elapsed


class _CountingSink:
    def __init__(self, n: int) -> None:
        self.n = n
        self.count = 0
        self.done = threading.Event()

    def accept(self, items: Sequence[tuple[Message, Device]]) -> None:
        self.count += len(items)
        if self.count >= self.n:
            self.done.set()


def _ingest(
    port: int, ts: SqliteTimeSeries, state: SqlStateStore, n: int, timeout: float
) -> tuple[float, dict[str, Any]]:
    sink = _CountingSink(n)
    options = IngestOptions(port=port, client_id=INGEST_ID)
    service = IngestService(ts, state, SystemClock(), sink, options)
    started = time.perf_counter()
    service.start()
    finished = sink.done.wait(timeout)
    elapsed = time.perf_counter() - started
    service.stop()
    if not finished:
        raise RuntimeError(f"ingest accepted {sink.count} of {n}: {service.stats}")
    stats = service.stats
    return elapsed, {
        "rejected": dict(stats.rejected),
        "connects": stats.connects,
        "redelivered": stats.redelivered,
        "batches": stats.batches,
        "max_write_s": round(stats.max_write_s, 3),
    }


def _check_store(ts: SqliteTimeSeries, expected: set[tuple[str, int]]) -> tuple[int, int]:
    keys = list(ts.keys_since(0))
    stored = set(keys)
    lost = len(expected - stored)
    duplicates = (len(keys) - len(stored)) + len(stored - expected)
    return lost, duplicates


def run(
    n: int = 200_000, devices: int = 1000, rounds: int = 3, timeout: float = 600.0
) -> dict[str, Any]:
    per_device = max(1, n // devices)
    n = per_device * devices
    ids = [(f"h{i // DEVICES_PER_HOME:04d}", f"d{i:05d}") for i in range(devices)]
    with tempfile.TemporaryDirectory(prefix="anju-bench-ingest-") as tmp:
        folder = Path(tmp)
        broker = Mosquitto(folder / "mosquitto").start()
        state = SqlStateStore(f"sqlite:///{folder / 'state.db'}")
        try:
            for home_id in sorted({h for h, _ in ids}):
                state.upsert_home(Home(home_id, "bench"))
            for home_id, device_id in ids:
                state.upsert_device(Device(device_id, home_id, DeviceKind.PENDANT))
            options = IngestOptions(port=broker.port, client_id=INGEST_ID)
            _park_session(broker.port, BASELINE_ID, UPLINK_FILTER)
            _park_session(broker.port, INGEST_ID, options.subscription)
            results: list[dict[str, Any]] = []
            for r in range(rounds):
                first_seq = 1 + r * per_device
                t0 = time.perf_counter()
                sent = _publish(broker.port, ids, per_device, first_seq)
                publish_s = time.perf_counter() - t0
                expected = {(d, first_seq + k) for _, d in ids for k in range(per_device)}
                ts = SqliteTimeSeries(folder / f"ts-{r}.db")
                try:
                    order = ("baseline", "ingest") if r % 2 == 0 else ("ingest", "baseline")
                    times: dict[str, float] = {}
                    detail: dict[str, Any] = {}
                    for which in order:
                        if which == "baseline":
                            times[which] = _baseline(broker.port, sent, timeout)
                        else:
                            times[which], detail = _ingest(broker.port, ts, state, sent, timeout)
                    lost, duplicates = _check_store(ts, expected)
                finally:
                    ts.close()
                results.append(
                    {
                        "readings_per_s": round(sent / times["ingest"]),
                        "baseline_per_s": round(sent / times["baseline"]),
                        "ratio": round(times["baseline"] / times["ingest"], 3),
                        "lost": lost,
                        "duplicates": duplicates,
                        **detail,
                        "publish_per_s": round(sent / publish_s),
                        "order": list(order),
                    }
                )
        finally:
            state.close()
            broker.stop()
    return {
        "readings_per_s": round(statistics.median(x["readings_per_s"] for x in results)),
        "baseline_per_s": round(statistics.median(x["baseline_per_s"] for x in results)),
        "ratio": round(statistics.median(x["ratio"] for x in results), 3),
        "lost": sum(x["lost"] for x in results),
        "duplicates": sum(x["duplicates"] for x in results),
        "n": n,
        "devices": devices,
        "rounds": results,
    }
