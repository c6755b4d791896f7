"""Anju as it runs in production, `anju serve` in its own process, and what the benchmarks read
off it: its CPU time, and its /metrics (per-stage latency, ingest's queue depth)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx


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


def admin_headers(work: Path) -> dict[str, str]:
    """The live feed answers signed-in callers only: an admin account and a bearer token in the
    state database that `serve(work, ...)` opens, as headers for the benchmark's SSE client."""
    from domain.access import Role
    from domain.clock import SystemClock
    from stores.state.sql import SqlStateStore
    from stores.state.users import UserStore
    from web.auth.service import Auth

    store = SqlStateStore(f"sqlite:///{work / 'data' / 'state.db'}")
    try:
        auth = Auth(UserStore(store.engine), SystemClock())
        admin = auth.create_user("bench-admin", Role.ADMIN, secrets.token_urlsafe(16))
        token, _row = auth.issue_token(admin.user_id, "bench")
    finally:
        store.close()
    return {"Authorization": f"Bearer {token}"}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
            for stage, (name, labels) in STAGES.items():
                if any(sample.labels.get(k) != v for k, v in labels.items()):
                    continue
                if sample.name == f"{name}_sum":
                    sums[stage] = sample.value
                elif sample.name == f"{name}_bucket":
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
