"""Escalation figures: SOS publish -> first channel dispatch under background readings, and
the cost of a timer tick with 10,000 open alarms.

Dispatch: Mosquitto with Anju's configuration, `anju serve` in its own process (ingest, the
detectors, the alarm service, the escalation engine and outbox, SQLite stores), background
readings from another process; every SOS is on a different home, so each one opens an alarm
whose first stage sends a signed webhook to a receiver in this process. Baselines from the same
run: the same presses with no load ("idle") and the live feed (SSE) event of each alarm.

Ticks: the engine in this process on a SQLite store, 10,000 open alarms (1,000 homes x 10
types) escalating on a clock moved by hand. Idle ticks (nothing due) and busy ticks (the
stages that come due each second of a 600 s window) are timed; the baseline is the same
workload with 100 open alarms.
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from alerts.escalation.contacts import Contact
from alerts.escalation.engine import EscalationEngine
from alerts.escalation.policy import Role
from benchmarks.alerts import (
    Arrivals,
    Loader,
    client,
    percentile,
    serve,
    sse_reader,
    summary,
)
from domain.alarms import Alarm, AlarmState, Change, Severity
from domain.clock import ManualClock
from domain.model import Device, DeviceKind, Home, Resident
from domain.topics import topic
from stores.state.escalation import EscalationStore
from stores.state.sql import SqlStateStore
from stores.state.tables import build_metadata


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


def dispatch(
    n: int, idle_n: int, rate: float, gap_s: float, *, settle_s: float, log: Callable[[str], None]
) -> dict[str, Any]:
    from broker.mosquitto import Mosquitto, free_port

    with tempfile.TemporaryDirectory(prefix="anju-bench-esc-") as tmp:
        work = Path(tmp)
        rx = Receiver()
        broker = Mosquitto(work / "mosquitto").start()
        buttons, wearables = provision(work, n + idle_n, 4, rx.url)
        device_of = {b.home_id: b.device_id for b in buttons}
        http_port = free_port()
        proc = serve(work, broker.port, http_port)
        try:
            feed, ready = Arrivals(), threading.Event()
            url = f"http://127.0.0.1:{http_port}/api/feed"
            threading.Thread(target=sse_reader, args=(url, feed, ready), daemon=True).start()
            if not ready.wait(10):
                raise RuntimeError("the live feed did not answer")
            seq0 = int(time.time() * 1000)
            log(f"idle: {idle_n} SOS on different homes")
            idle_sent = press(buttons[:idle_n], broker.port, gap_s, seq0)
            idle, idle_lost = gather(idle_sent, rx, 15)
            log(f"load: {n} SOS under {rate:.0f} readings/s")
            with Loader(broker.port, wearables, rate, n * gap_s * 1.2 + 2.0, settle_s) as loader:
                load_sent = press(buttons[idle_n:], broker.port, gap_s, seq0 + idle_n)
                loaded, lost = gather(load_sent, rx, 15)
            sent_bg, _failed, elapsed = loader.result
            feed_loaded = feed_latency(load_sent, feed, device_of)
        finally:
            import signal as _signal

            proc.send_signal(_signal.SIGTERM)
            proc.wait(30)
            broker.stop()
            rx.close()
    return {
        "sos_to_dispatch_p50_ms": summary(loaded)["p50_ms"],
        "sos_to_dispatch_p99_ms": summary(loaded)["p99_ms"],
        "sos_to_dispatch_max_ms": round(max(loaded, default=float("nan")), 2),
        "n": n,
        "lost": lost,
        "background_per_s": round(sent_bg / elapsed, 1),
        "idle_p50_ms": summary(idle)["p50_ms"],
        "idle_p99_ms": summary(idle)["p99_ms"],
        "idle_lost": idle_lost,
        "feed_p50_ms": summary(feed_loaded)["p50_ms"],
        "feed_p99_ms": summary(feed_loaded)["p99_ms"],
        "p99_over_idle_p99": round(percentile(loaded, 99) / max(percentile(idle, 99), 1e-9), 2),
        "webhooks_received": rx.count,
    }


# ---- timer ticks ---------------------------------------------------------------------------

TYPES = (
    "sos",
    "fall",
    "long_lie",
    "smoke",
    "inactivity",
    "wandering",
    "door_night",
    "wellness",
    "routine",
    "battery_low",
)
WINDOW_S = 600


def _engine(
    work: Path, open_alarms: int, clock: ManualClock
) -> tuple[EscalationEngine, SqlStateStore, float]:
    state = SqlStateStore(f"sqlite:///{work / f'ticks-{open_alarms}.db'}")
    esc = EscalationStore(state.engine)
    engine = EscalationEngine(esc, state, clock)
    homes = max(1, open_alarms // len(TYPES))
    t0 = int(clock.now() * 1000)
    started = time.perf_counter()
    fast = _no_fsync(state)  # setup only: the ticks run with the store's own durability
    for role in (Role.CALL_CENTRE, Role.SUPERVISOR, Role.EMERGENCY):
        c = Contact(
            role.value, role.value, role, "bench", addresses={"webhook": "http://127.0.0.1:9/"}
        )
        esc.save_contact(c.contact_id, c.scope, c.to_json())
    for h in range(homes):
        home_id = f"t{h:05d}"
        state.upsert_home(Home(home_id, "bench", address=f"home {h}"))
        state.upsert_resident(Resident(f"{home_id}-r", home_id, "住户"))
        fam = Contact(
            f"{home_id}-f",
            "家属",
            Role.FAMILY,
            home_id,
            addresses={"webhook": "http://127.0.0.1:9/"},
        )
        esc.save_contact(fam.contact_id, fam.scope, fam.to_json())
    alarms = []
    for i in range(open_alarms):
        home_id = f"t{i % homes:05d}"
        type_ = TYPES[(i // homes) % len(TYPES)]
        raised = t0 + int(i * WINDOW_S * 1000 / open_alarms)  # spread over the window
        sev = Severity.CRITICAL if type_ in ("sos", "fall", "long_lie", "smoke") else Severity.MAJOR
        alarms.append(Alarm(f"a{i:06d}", home_id, type_, sev, AlarmState.RAISED, raised, raised,
                            history=[Change(raised, AlarmState.RAISED, "system")]))  # fmt: skip
    _save_alarms(state, alarms)
    engine.start_many(alarms)
    sa.event.remove(state.engine, "connect", fast)
    state.engine.dispose()
    return engine, state, time.perf_counter() - started


def _save_alarms(state: SqlStateStore, alarms: list[Alarm]) -> None:
    """The alarms in one transaction, in the state store's own tables (setup only)."""
    tables = build_metadata(state.schema).tables
    alarm_rows: list[dict[str, Any]] = [
        {"alarm_id": a.alarm_id, "home_id": a.home_id, "type": a.type,
         "severity": a.severity.value, "state": a.state.value, "raised_ms": a.raised_ms,
         "updated_ms": a.updated_ms, "device_id": None, "count": 1, "evidence": {}}
        for a in alarms
    ]  # fmt: skip
    history: list[dict[str, Any]] = [
        {"alarm_id": a.alarm_id, "pos": 0, "at_ms": a.raised_ms, "state": "raised",
         "actor": "system", "note": ""}
        for a in alarms
    ]  # fmt: skip
    with state.engine.begin() as conn:
        conn.execute(sa.insert(tables["alarms"]), alarm_rows)
        conn.execute(sa.insert(tables["alarm_history"]), history)


def _no_fsync(state: SqlStateStore) -> Callable[[Any, Any], None]:
    def pragma(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()

    sa.event.listen(state.engine, "connect", pragma)
    state.engine.dispose()
    return pragma


def ticks(open_alarms: int, idle_ticks: int = 2000, busy_s: int = 120) -> dict[str, Any]:
    clock = ManualClock(1_767_225_600.0 - WINDOW_S - 1)
    with tempfile.TemporaryDirectory(prefix="anju-bench-ticks-") as tmp:
        engine, state, setup_s = _engine(Path(tmp), open_alarms, clock)
        engine.tick()
        idle = []
        for _ in range(idle_ticks):  # nothing due: the clock stands before every timer
            t = time.perf_counter()
            engine.tick()
            idle.append((time.perf_counter() - t) * 1e6)
        clock.set(1_767_225_600.0 - WINDOW_S)
        busy, fired = [], 0
        for _ in range(busy_s):  # one tick per second of clock while stages come due
            clock.advance(1.0)
            t = time.perf_counter()
            fired += engine.tick()
            busy.append((time.perf_counter() - t) * 1000)
        state.close()
    per_timer = sum(busy) / max(fired, 1)
    return {
        "open_alarms": open_alarms,
        "setup_s": round(setup_s, 1),
        "idle_tick_median_us": round(statistics.median(idle), 2),
        "idle_tick_p99_us": round(percentile(idle, 99), 2),
        "busy_ticks": busy_s,
        "timers_fired": fired,
        "busy_tick_median_ms": round(statistics.median(busy), 2),
        "busy_tick_p99_ms": round(percentile(busy, 99), 2),
        "ms_per_fired_timer": round(per_timer, 3),
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
