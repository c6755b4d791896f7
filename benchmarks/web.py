"""The board and the API at scale: 10,000 homes and 500 open alarms, measured as a person sees them.

The real app (`anju.wiring.build`, served by uvicorn) on a throwaway state store (SQLite, or a
throwaway schema in PostgreSQL), signed in as an operator who watches every community:
- board first load: Debian's Chromium, a fresh browser context per load (cold cache, signed in),
  from navigation start to the moment every open alarm is a row on the page (a MutationObserver
  installed before the page's own scripts, so it is the browser's own clock);
- a new alarm reaching the page: alarms raised through the alarm service one by one; the browser
  notes the wall-clock time each new row enters the DOM (and the next animation frame, when it is
  painted) against the wall-clock time just before the raise (one machine, one clock);
- API list endpoints with httpx, round-robin so every endpoint sees the same machine load, against
  two baselines from the same run: `/healthz` (no sign-in) and `/api/me` (sign-in only); the
  alarm list at its default page (100) and its largest (200), warm and cold, and, as information
  beside them, the board's whole read of every open alarm (pages of 200, `next` followed).
"""

from __future__ import annotations

import math
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from anju.settings import Settings
from anju.wiring import Anju, build, make_stores, settle_heap
from benchmarks.web_seed import READINGS_HOME, communities, seed, seed_family_users, seed_readings
from broker.mosquitto import free_port
from domain.access import Role
from domain.alarms import Detection, Severity
from stores.state.scratch import scratch_schema_store
from stores.state.sql import SqlStateStore

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "bench-Anju-2026"
ALARM_KINDS = (
    ("sos", Severity.CRITICAL),
    ("fall", Severity.CRITICAL),
    ("inactivity", Severity.MAJOR),
    ("bathroom_too_long", Severity.MAJOR),
    ("door_at_night", Severity.MINOR),
    ("device_offline", Severity.TECHNICAL),
)
Log = Callable[[str], None]


def percentile(values: list[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q% of the values at or below it."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def summary(values: list[float]) -> dict[str, Any]:
    r: dict[str, Any] = {"n": len(values)}
    for q in (50, 95, 99):
        r[f"p{q}_ms"] = round(percentile(values, q), 2)
    r["max_ms"] = round(max(values), 2) if values else float("nan")
    return r


@dataclass
class Bench:
    anju: Anju
    homes: list[str]
    operator: dict[str, str]  # bearer headers
    admin: dict[str, str]
    open_alarms: int

    @property
    def url(self) -> str:
        return self.anju.url


@contextmanager
def served(
    homes: int, alarms: int, state_url: str | None, log: Log, *, settle: bool = False
) -> Iterator[Bench]:
    """The real app over `homes` seeded homes and `alarms` open alarms, web only (no broker);
    `settle` does after start what `anju serve` does (anju.wiring.settle_heap)."""
    with tempfile.TemporaryDirectory(prefix="anju-bench-web-") as tmp, state(state_url, tmp) as st:
        settings = Settings(data_dir=Path(tmp) / "data", http_port=free_port())
        ts, default_state = make_stores(settings)
        default_state.close()
        anju = build(settings, stores=(ts, st), detectors=[])  # no ingest: no detectors
        started = time.perf_counter()
        ids = seed(st, homes)
        rng = random.Random(11)
        for n, home in enumerate(rng.sample(ids, alarms)):
            kind, severity = ALARM_KINDS[n % len(ALARM_KINDS)]
            anju.alarms.on_detection(
                Detection(home, kind, severity, int(time.time() * 1000), f"{home}-sos")
            )
        log(f"seeded {homes} homes, {alarms} open alarms in {time.perf_counter() - started:.1f} s")
        auth = anju.app.state.ctx.auth
        tables = auth.users.t
        families = seed_family_users(st, tables["users"], tables["user_scopes"], ids, PASSWORD)
        readings = seed_readings(ts, READINGS_HOME)
        log(f"seeded {families} family accounts, {readings} readings of {READINGS_HOME}")
        op = auth.create_user("bench-op", Role.OPERATOR, PASSWORD, communities=communities(homes))
        admin = auth.create_user("bench-admin", Role.ADMIN, PASSWORD)
        bearer = {
            u.username: {"Authorization": "Bearer " + auth.issue_token(u.user_id, "bench")[0]}
            for u in (op, admin)
        }
        anju.web.start()
        if settle:
            settle_heap()
        try:
            yield Bench(anju, ids, bearer["bench-op"], bearer["bench-admin"], alarms)
        finally:
            anju.web.stop()
            ts.close()


@contextmanager
def state(url: str | None, tmp: str) -> Iterator[SqlStateStore]:
    if not url or url.startswith("sqlite"):
        store = SqlStateStore(url or f"sqlite:///{tmp}/state.db")
        try:
            yield store
        finally:
            store.close()
        return
    with scratch_schema_store(url, prefix="anju_bench") as store:
        yield store


def run(
    *,
    homes: int = 10_000,
    alarms: int = 500,
    loads: int = 20,
    new_alarms: int = 300,
    gap_s: float = 0.1,
    requests: int = 200,
    rounds: int = 5,
    state_url: str | None = None,
    settle: bool = False,  # the CLI settles (as anju serve does); a test process must not freeze
    log: Log = lambda _s: None,
) -> dict[str, Any]:
    from benchmarks.web_browser import board_loads, new_alarm_latency

    with served(homes, alarms, state_url, log, settle=settle) as bench:
        api = api_lists(bench, requests, rounds, log)
        log("board loads in Chromium ...")
        loads_doc = board_loads(bench, loads, log)
        log("new alarms to the page ...")
        new_doc = new_alarm_latency(bench, new_alarms, gap_s, log)
    return {
        "homes": homes,
        "open_alarms": alarms,
        "state_store": "postgresql" if state_url and state_url.startswith("postgres") else "sqlite",
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "settled_heap": settle,
        "board_load": loads_doc,
        "new_alarm": new_doc,
        "api": api,
        "goals": {
            "board_load_p95_le_1000_ms": loads_doc["p95_ms"] <= 1000,
            "new_alarm_p99_le_200_ms": new_doc["p99_ms"] <= 200,
            "api_lists_p95_le_50_ms": all(
                v["p95_ms"] <= 50
                for k, v in api["endpoints"].items()
                if k not in BASELINES and k not in INFORMATIONAL
            ),
        },
    }


BASELINES = ("/healthz", "/api/me")
COLD = " (cold)"  # the alarm service's 60 s cache of homes and residents emptied first
EVERY_PAGE = " (every page)"  # the board's read: `next` followed until null, one after another
AUDIT_PAGE = "/api/audit?limit=100&before_id={}"  # a fixed page: the run keeps adding rows
ENDPOINTS = (
    ("/api/alarms?open=true", "operator"),  # the default page (100)
    ("/api/alarms?open=true" + COLD, "operator"),
    ("/api/alarms?open=true&limit=200", "operator"),  # the largest page
    ("/api/alarms?open=true&limit=200" + COLD, "operator"),
    ("/api/alarms?open=true&limit=200" + EVERY_PAGE, "operator"),
    ("/api/homes", "operator"),
    ("/api/checkins", "operator"),
    ("/api/devices", "admin"),
    ("/api/audit", "admin"),  # AUDIT_PAGE
    ("/api/users", "admin"),  # 10,000 family accounts, the default page
    ("/api/kpi", "operator"),  # the last 24 h: every alarm of the run
    ("/api/checkins/coverage", "operator"),
    (f"/api/homes/{READINGS_HOME}/readings", "operator"),  # a day of minute readings
)
# Reported, not a goal of its own: several requests (3 for 500 alarms), each page a goal above.
INFORMATIONAL = ("/api/alarms?open=true&limit=200" + EVERY_PAGE,)
WARM_ROUNDS = 20  # untimed, and enough audit rows for the fixed page


def every_page(client: httpx.Client, path: str) -> tuple[httpx.Response, int, int]:
    """The list read as the board does: `next` followed until null. Returns the last answer,
    the number of pages and the bytes of all of them."""
    pages, size, cursor = 0, 0, None
    while True:
        # in the path by hand: httpx's `params` would replace the path's own query
        r = client.get(path if cursor is None else f"{path}&cursor={quote(cursor)}")
        r.raise_for_status()
        pages, size = pages + 1, size + len(r.content)
        cursor = r.json()["next"]
        if cursor is None:
            return r, pages, size


def api_lists(bench: Bench, requests: int, rounds: int, log: Log) -> dict[str, Any]:
    """Each endpoint `requests` times, round-robin, in `rounds` rounds after untimed warm-up
    rounds; p50/p95 (and the ratio of p95 to `/api/me`'s p95) per round, reported as the
    median over the rounds, so one burst of load on the shared machine moves one round only."""
    targets = [("/healthz", "operator"), ("/api/me", "operator"), *ENDPOINTS]
    per_round = max(1, requests // rounds)
    times: dict[str, list[list[float]]] = {p: [[] for _ in range(rounds)] for p, _ in targets}
    sizes: dict[str, int] = {}
    pages: dict[str, int] = {}
    forget = bench.anju.alarms.forget_homes
    with (
        httpx.Client(base_url=bench.url, headers=bench.operator, timeout=30) as op,
        httpx.Client(base_url=bench.url, headers=bench.admin, timeout=30) as admin,
    ):
        audit_page = ""
        for i in range(-WARM_ROUNDS, rounds * per_round):
            if i == 0:  # every timed audit read asks for the same 100 rows
                newest = admin.get("/api/audit?limit=1").json()["events"][0]["id"]
                audit_page = AUDIT_PAGE.format(newest)
            for name, who in targets:
                client = op if who == "operator" else admin
                path = name.removesuffix(COLD).removesuffix(EVERY_PAGE)
                if path == "/api/audit":
                    path = audit_page or AUDIT_PAGE.format(2**53 - 1)
                if name.endswith(COLD):
                    forget()
                started = time.perf_counter()
                if name.endswith(EVERY_PAGE):
                    r, pages[name], size = every_page(client, path)
                else:
                    r = client.get(path)
                    size = len(r.content)
                took = (time.perf_counter() - started) * 1000
                if path != "/healthz":  # 503 without a broker: it still runs every check
                    r.raise_for_status()
                if i >= 0:
                    times[name][i // per_round].append(took)
                else:
                    sizes[name] = size
    endpoints = {
        name: rounds_summary(values, times["/api/me"])
        | {"bytes": sizes[name]}
        | ({"pages": pages[name]} if name in pages else {})
        for name, values in times.items()
    }
    log(f"API: {len(targets)} endpoints x {rounds} rounds x {per_round} requests")
    return {"requests_each": rounds * per_round, "rounds": rounds, "endpoints": endpoints}


def rounds_summary(rounds: list[list[float]], baseline: list[list[float]]) -> dict[str, Any]:
    """Median over the rounds of each round's p50, p95 and p95 / baseline p95."""
    p50 = [percentile(r, 50) for r in rounds]
    p95 = [percentile(r, 95) for r in rounds]
    ratio = [p / percentile(b, 95) for p, b in zip(p95, baseline, strict=True)]
    return {
        "n": sum(len(r) for r in rounds),
        "p50_ms": round(statistics.median(p50), 2),
        "p95_ms": round(statistics.median(p95), 2),
        "p95_rounds_ms": [round(p, 1) for p in p95],
        "p95_vs_api_me": round(statistics.median(ratio), 2),
    }
