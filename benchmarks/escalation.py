"""Escalation figures: SOS publish -> first channel dispatch under background readings, and
the cost of a timer tick with 10,000 open alarms (benchmarks/escalation_ticks.py).

Dispatch: Mosquitto with Anju's configuration, `anju serve` in its own process (ingest, the
detectors, the alarm service, the escalation engine and outbox, SQLite stores), background
readings from another process; every SOS is on a different home, so each one opens an alarm
whose first stage sends a signed webhook to a receiver in this process. Baselines from the same
run: a first `anju serve` with escalation off (SOS -> live feed, SSE, under the same load), the
live-feed event of each alarm in the escalation run (dispatch - feed = what escalation adds),
and idle presses before the load starts.
"""

from __future__ import annotations

import os
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from alerts.escalation.contacts import Contact
from alerts.escalation.policy import Role
from benchmarks.alerts import sse_reader
from benchmarks.escalation_ticks import ticks
from benchmarks.latency import Arrivals, percentile, summary
from benchmarks.load import Loader, client
from benchmarks.served import admin_headers, serve
from domain.model import Device, DeviceKind, Home
from domain.topics import topic
from stores.state.escalation import EscalationStore
from stores.state.sql import SqlStateStore


class Receiver:
    """A webhook target: the first arrival (perf_counter) of each path."""

    def __init__(self) -> None:
        self.first: dict[str, float] = {}
        self.count = 0
        self.cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                now = time.perf_counter()
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.cond:
                    receiver.count += 1
                    receiver.first.setdefault(self.path, now)
                    receiver.cond.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def wait(self, paths: list[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self.cond:
            while not all(p in self.first for p in paths):
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self.cond.wait(left)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def provision(
    work: Path, homes: int, pendants: int, hook: str
) -> tuple[list[Device], list[Device]]:
    store = SqlStateStore(f"sqlite:///{work / 'data' / 'state.db'}")
    esc = EscalationStore(store.engine)
    buttons: list[Device] = []
    wearables: list[Device] = []
    for h in range(homes):
        home_id = f"esc-{h:04d}"
        store.upsert_home(Home(home_id, "bench", address=f"bench home {h}"))
        button = Device(f"{home_id}-sos", home_id, DeviceKind.SOS_BUTTON)
        store.upsert_device(button)
        buttons.append(button)
        if h < 50:
            for p in range(pendants):
                wearable = Device(f"{home_id}-p{p}", home_id, DeviceKind.PENDANT)
                store.upsert_device(wearable)
                wearables.append(wearable)
        family = Contact(
            f"{home_id}-fam",
            "家属",
            Role.FAMILY,
            home_id,
            addresses={"webhook": f"{hook}/{home_id}"},
        )
        esc.save_contact(family.contact_id, family.scope, family.to_json())
    centre = Contact(
        "centre", "呼叫中心", Role.CALL_CENTRE, "bench", addresses={"webhook": f"{hook}/centre"}
    )
    esc.save_contact(centre.contact_id, centre.scope, centre.to_json())
    store.close()
    return buttons, wearables


def press(buttons: list[Device], port: int, gap_s: float, seq0: int) -> dict[str, float]:
    """One SOS per button, `gap_s` apart; returns the send time of each home's press."""
    import json

    import paho.mqtt.client as mqtt

    c = client(port, f"bench-esc-sos-{seq0}")
    sent: dict[str, float] = {}
    for k, b in enumerate(buttons):
        body = {"v": 1, "seq": seq0 + k, "ts": int(time.time() * 1000), "type": "sos"}
        sent[b.home_id] = time.perf_counter()
        info = c.publish(topic(b.home_id, b.device_id, "event"), json.dumps(body), qos=1)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            raise RuntimeError(f"SOS publish failed: rc={info.rc}")
        time.sleep(gap_s)
    time.sleep(0.2)
    c.loop_stop()
    c.disconnect()
    return sent


def gather(sent: dict[str, float], rx: Receiver, timeout: float) -> tuple[list[float], int]:
    rx.wait([f"/{h}" for h in sent], timeout)
    with rx.cond:
        got = [(rx.first[f"/{h}"] - t) * 1000 for h, t in sent.items() if f"/{h}" in rx.first]
    return got, len(sent) - len(got)


def feed_latency(sent: dict[str, float], feed: Arrivals, device_of: dict[str, str]) -> list[float]:
    with feed.cond:
        at = {k[0]: v for k, v in feed.at.items()}
    return [(at[device_of[h]] - t) * 1000 for h, t in sent.items() if device_of[h] in at]


@dataclass
class Session:
    idle: list[float]  # SOS -> first dispatch, ms
    loaded: list[float]
    lost: int
    feed_loaded: list[float]  # SOS -> live feed, ms (same presses)
    after_feed: list[float]  # per alarm: dispatch - feed, ms
    background_per_s: float
    webhooks: int


def session(
    n: int, idle_n: int, rate: float, gap_s: float, *, settle_s: float, escalation: bool
) -> Session:
    """One `anju serve` run: idle presses, then presses under load (escalation on or off)."""
    from broker.mosquitto import Mosquitto, free_port

    with tempfile.TemporaryDirectory(prefix="anju-bench-esc-") as tmp:
        work = Path(tmp)
        rx = Receiver()
        broker = Mosquitto(work / "mosquitto").start()
        buttons, wearables = provision(work, n + idle_n, 4, rx.url)
        device_of = {b.home_id: b.device_id for b in buttons}
        headers = admin_headers(work)
        http_port = free_port()
        os.environ["ANJU_ESCALATION"] = "true" if escalation else "false"
        try:
            proc = serve(work, broker.port, http_port)
        finally:
            os.environ.pop("ANJU_ESCALATION", None)
        try:
            feed, ready = Arrivals(), threading.Event()
            url = f"http://127.0.0.1:{http_port}/api/feed"
            reader_args = (url, feed, ready, headers)
            threading.Thread(target=sse_reader, args=reader_args, daemon=True).start()
            if not ready.wait(10):
                raise RuntimeError("the live feed did not answer")
            seq0 = int(time.time() * 1000)
            idle_sent = press(buttons[:idle_n], broker.port, gap_s, seq0)
            idle, _ = gather(idle_sent, rx, 15 if escalation else 0)
            with Loader(broker.port, wearables, rate, n * gap_s * 1.2 + 2.0, settle_s) as loader:
                load_sent = press(buttons[idle_n:], broker.port, gap_s, seq0 + idle_n)
                keys = [(device_of[h], seq0 + idle_n + k) for k, h in enumerate(load_sent)]
                feed.wait(keys, 30)
                loaded, lost = gather(load_sent, rx, 15 if escalation else 0)
            sent_bg, _failed, elapsed = loader.result
            feed_loaded = feed_latency(load_sent, feed, device_of)
            with feed.cond, rx.cond:
                at = {k[0]: v for k, v in feed.at.items()}
                after = [
                    (rx.first[f"/{h}"] - at[device_of[h]]) * 1000
                    for h in load_sent
                    if f"/{h}" in rx.first and device_of[h] in at
                ]
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
            broker.stop()
            rx.close()
    return Session(idle, loaded, lost, feed_loaded, after, sent_bg / elapsed, rx.count)


def dispatch(
    n: int, idle_n: int, rate: float, gap_s: float, *, settle_s: float, log: Callable[[str], None]
) -> dict[str, Any]:
    """Escalation off (the baseline: SOS -> feed), then on (SOS -> first webhook)."""
    log(f"baseline, escalation off: {idle_n} idle SOS, {n} under {rate:.0f} readings/s")
    base = session(n, idle_n, rate, gap_s, settle_s=settle_s, escalation=False)
    log(f"escalation on: {idle_n} idle SOS, {n} under {rate:.0f} readings/s")
    run = session(n, idle_n, rate, gap_s, settle_s=settle_s, escalation=True)
    return {
        "sos_to_dispatch_p50_ms": summary(run.loaded)["p50_ms"],
        "sos_to_dispatch_p99_ms": summary(run.loaded)["p99_ms"],
        "sos_to_dispatch_max_ms": round(max(run.loaded, default=float("nan")), 2),
        "n": n,
        "lost": run.lost,
        "background_per_s": round(run.background_per_s, 1),
        "idle_p50_ms": summary(run.idle)["p50_ms"],
        "idle_p99_ms": summary(run.idle)["p99_ms"],
        "feed_p50_ms": summary(run.feed_loaded)["p50_ms"],
        "feed_p99_ms": summary(run.feed_loaded)["p99_ms"],
        "dispatch_after_feed_p50_ms": summary(run.after_feed)["p50_ms"],
        "dispatch_after_feed_p99_ms": summary(run.after_feed)["p99_ms"],
        "baseline_feed_p50_ms": summary(base.feed_loaded)["p50_ms"],
        "baseline_feed_p99_ms": summary(base.feed_loaded)["p99_ms"],
        "baseline_background_per_s": round(base.background_per_s, 1),
        "p99_over_baseline_feed_p99": round(
            percentile(run.loaded, 99) / max(percentile(base.feed_loaded, 99), 1e-9), 2
        ),
        "webhooks_received": run.webhooks,
    }


def run(
    n: int = 200,
    *,
    idle_n: int = 50,
    rate: float = 2000.0,
    gap_s: float = 0.1,
    settle_s: float = 2.0,
    open_alarms: int = 10_000,
    baseline_alarms: int = 100,
    skip_dispatch: bool = False,
    log: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    if not skip_dispatch:
        doc["dispatch"] = dispatch(n, idle_n, rate, gap_s, settle_s=settle_s, log=log)
    log(f"ticks: baseline with {baseline_alarms} open alarms")
    base = ticks(baseline_alarms)
    log(f"ticks: {open_alarms} open alarms")
    big = ticks(open_alarms)
    doc["ticks"] = big
    doc["ticks_baseline"] = base
    doc["idle_tick_ratio"] = round(
        big["idle_tick_median_us"] / max(base["idle_tick_median_us"], 1e-9), 2
    )
    doc["per_timer_ratio"] = round(
        big["ms_per_fired_timer"] / max(base["ms_per_fired_timer"], 1e-9), 2
    )
    import os

    doc["load_average_1m"] = round(os.getloadavg()[0], 2)
    return doc
