"""`anju bench gateway`: the home gateway's figures, each beside a baseline from the same run.

1. Queue write: batched inserts into the durable queue (synchronous=FULL) against a commit per
   row on the same kind of file.
2. Replay after an outage: a busy home (20 devices, one reading each per second) loses its line
   for a simulated hour (device timestamps an hour apart; the hour is not waited). An SOS is
   pressed half-way. The upstream broker comes back; the replay rate is measured at Anju's side,
   against a bare paho publisher pushing the same number of QoS 1 messages through the same
   broker to the same subscriber. A live device publishes throughout: its latency during the
   replay is compared with its latency once the replay is over.
3. The gateway's resident memory: the peak (VmHWM) over all of that, and the peak of each phase
   (idle, outage fill, replay) sampled from /proc with its anonymous / file-backed split.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from broker.mosquitto import Mosquitto
from gateway.config import GatewayConfig
from gateway.harness import Devices, Received, SubRecorder, wait_until
from gateway.priority import READING
from gateway.process import GatewayProcess
from gateway.queue import DurableQueue, Item

HOME = "bench-home"
T0_MS = 1_767_225_600_000


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--outage-s", type=int, default=3600, help="simulated outage, seconds")
    parser.add_argument("--interval-s", type=float, default=1.0, help="reading interval/device")
    parser.add_argument("--replay-rate", type=float, default=8000.0)
    parser.add_argument("--live-rate", type=float, default=50.0, help="live messages/s")
    parser.add_argument("--queue-n", type=int, default=50_000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--json", action="store_true")


def _payload(seq: int) -> bytes:
    body = {"v": 1, "seq": seq, "ts": T0_MS + seq, "values": {"heart_rate": 72}}
    return json.dumps(body).encode()


def bench_queue(workdir: Path, n: int) -> dict[str, float]:
    queue = DurableQueue(workdir / "q-bench.db", max_rows=n * 2, max_bytes=2**40)
    items = [Item(READING, f"anju/v1/{HOME}/d1/reading", _payload(i)) for i in range(n)]
    start = time.perf_counter()
    for i in range(0, n, 500):
        queue.put_many(items[i : i + 500])
    batched = n / (time.perf_counter() - start)
    queue.close()
    per_row_n = max(n // 25, 200)
    db = sqlite3.connect(workdir / "q-baseline.db", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE q (id INTEGER PRIMARY KEY, prio INT, topic TEXT, payload BLOB)")
    start = time.perf_counter()
    for item in items[:per_row_n]:
        db.execute("BEGIN")
        db.execute(
            "INSERT INTO q (prio, topic, payload) VALUES (?, ?, ?)",
            (item.prio, item.topic, item.payload),
        )
        db.execute("COMMIT")
    per_row = per_row_n / (time.perf_counter() - start)
    db.close()
    return {
        "queue_write_msgs_per_s": batched,
        "baseline_commit_per_row_msgs_per_s": per_row,
        "ratio": batched / per_row,
    }


def bench_bare_publisher(up_port: int, recorder: SubRecorder, n: int) -> float:
    """Baseline: a bare paho QoS 1 publisher straight to the upstream broker, payloads encoded
    beforehand, the same in-flight window as the gateway: no queue, no priorities, no disk."""
    topic = f"anju/v1/{HOME}/bare/reading"
    payloads = [_payload(seq) for seq in range(n)]
    window = GatewayConfig(home_id=HOME).window
    # keep at most `window` unacknowledged, as the gateway does: paho's own queue beyond its
    # in-flight limit is walked on every PUBACK and collapses under a burst
    permits = threading.Semaphore(window)
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="bare", protocol=mqtt.MQTTv5)
    client.max_inflight_messages_set(0)  # the semaphore is the window
    client.on_publish = lambda *_: permits.release()
    client.connect("127.0.0.1", up_port)
    client.loop_start()
    before = recorder.count(device_prefix="bare")
    start = time.time()
    for payload in payloads:
        permits.acquire()
        client.publish(topic, payload, qos=1)
    wait_until(lambda: recorder.count(device_prefix="bare") >= before + n, 300, "bare replay")
    elapsed = max(m.at for m in recorder.snapshot() if m.device == "bare") - start
    client.loop_stop()
    client.disconnect()
    return n / elapsed


class RssSampler(threading.Thread):
    """The gateway's resident memory every 20 ms, the peak kept per phase (set `phase`)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.status = Path(f"/proc/{pid}/status")
        self.phase = "idle"
        self.peaks: dict[str, dict[str, float]] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.02):
            try:
                lines = self.status.read_text().splitlines()
            except OSError:
                return
            kb = {
                k: int(v.split()[0])
                for k, v in (line.split(":", 1) for line in lines)
                if k in ("VmRSS", "RssAnon", "RssFile", "RssShmem")
            }
            peak = self.peaks.get(self.phase)
            if peak is None or kb["VmRSS"] / 1024 > peak["rss_mb"]:
                self.peaks[self.phase] = {
                    "rss_mb": kb["VmRSS"] / 1024,
                    "anon_mb": kb["RssAnon"] / 1024,
                    "file_mb": (kb["RssFile"] + kb["RssShmem"]) / 1024,
                }


class LivePublisher(threading.Thread):
    """A device that keeps talking while the gateway replays; remembers when it sent what."""

    def __init__(self, devices: Devices, rate: float) -> None:
        super().__init__(daemon=True)
        self.devices, self.rate = devices, rate
        self.sent: dict[int, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        seq = 0
        while not self.stop.wait(1.0 / self.rate):
            self.sent[seq] = time.time()
            self.devices.reading("live", seq, int(time.time() * 1000))
            seq += 1


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


def bench_replay(workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    local = Mosquitto(workdir / "local").start()
    up = Mosquitto(workdir / "upstream").start()
    recorder = SubRecorder(up.port, workdir / "recorder")
    gateway = GatewayProcess(
        workdir / "gateway", HOME, local.port, up.port, "--replay-rate", str(args.replay_rate)
    ).start()
    devices = Devices(local.port, HOME)
    assert gateway.proc is not None
    rss = RssSampler(gateway.proc.pid)
    rss.start()
    try:
        gateway.wait_state(lambda s: s["upstream"] == "online", 30, "gateway online")
        up.stop()
        gateway.wait_state(lambda s: s["upstream"] == "offline", 30, "gateway offline")
        rss.phase = "fill"
        steps = int(args.outage_s / args.interval_s)
        n = steps * args.devices
        fill_start = time.time()
        for step in range(steps):
            ts = T0_MS + int(step * args.interval_s * 1000)
            for d in range(args.devices):
                devices.reading(f"dev{d:02d}", step, ts)
            if step == steps // 2:
                devices.event("pendant", 1, ts, "sos")
        devices.flush(300)
        gateway.wait_state(lambda s: s["queued"] >= n + 1, 300, "outage queued")
        fill_rate = (n + 1) / (time.time() - fill_start)
        live = LivePublisher(devices, args.live_rate)
        live.start()
        time.sleep(1.0)
        back = time.time()
        rss.phase = "replay"
        up.start()
        wait_until(lambda: recorder.count("reading", "dev") >= n, 600, "replay")
        replay_done = time.time()
        time.sleep(3.0)
        live.stop.set()
        live.join()
        rss_now, rss_peak = gateway.rss_kb()
        rss.stop.set()
        bare = bench_bare_publisher(up.port, recorder, n)
        figures = _analyse(recorder.snapshot(), live.sent, n, back, replay_done)
        figures["outage_fill_msgs_per_s"] = fill_rate
        figures["baseline_bare_paho_msgs_per_s"] = bare
        figures["replay_vs_bare"] = figures["replay_msgs_per_s"] / bare
        return {
            **figures,
            "gateway_rss_mb": rss_now / 1024,
            "gateway_peak_rss_mb": rss_peak / 1024,
            "gateway_rss_by_phase": rss.peaks,
        }
    finally:
        rss.stop.set()
        devices.close()
        recorder.close()
        gateway.stop()
        up.stop()
        local.stop()


def _analyse(
    messages: list[Received], sent_at: dict[int, float], n: int, back: float, replay_done: float
) -> dict[str, Any]:
    """What Anju received: replay rate, order, completeness, live latency."""
    outage = [
        m
        for m in messages
        if (m.device.startswith("dev") or m.device == "pendant") and m.channel != "availability"
    ]
    keys = [(m.device, m.body()["seq"]) for m in outage]
    replayed = [m for m in outage if m.at >= back]
    first, last = min(m.at for m in replayed), max(m.at for m in replayed)
    during: list[float] = []
    after: list[float] = []
    for m in messages:
        if m.device != "live" or m.channel != "reading":
            continue
        if (sent := sent_at.get(m.body()["seq"])) is not None:
            if first <= sent <= last:
                during.append((m.at - sent) * 1000)
            elif sent > replay_done:
                after.append((m.at - sent) * 1000)
    replay_rate = len(replayed) / (last - first)
    return {
        "outage_messages": n + 1,
        "replay_msgs_per_s": replay_rate,
        "replay_incl_reconnect_msgs_per_s": len(replayed) / (last - back),
        "sos_position_among_replayed": next(
            i for i, m in enumerate(outage) if m.device == "pendant"
        ),
        "missing": (n + 1) - len(set(keys)),
        "duplicates": len(keys) - len(set(keys)),
        "live_latency_ms_during_replay": _summary(during),
        "live_latency_ms_after_replay": _summary(after),
    }


def _summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "median": statistics.median(values),
        "p95": _pct(values, 0.95),
        "max": max(values),
    }


def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="anju-bench-gw-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        figures = {
            "queue": bench_queue(workdir, args.queue_n),
            "replay": bench_replay(workdir, args),
        }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for section, values in figures.items():
            print(f"[{section}]")
            for key, value in values.items():
                print(f"  {key}: {value:.1f}" if isinstance(value, float) else f"  {key}: {value}")
    return 0
