"""`anju bench web` at toy size: every figure is measured, nothing is lost, the numbers are sane."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import require

ANJU = Path(sys.executable).with_name("anju")
SMALL = ["--homes", "120", "--alarms", "15", "--loads", "2", "--new-alarms", "8"]


def test_bench_web_small_run_prints_the_figures() -> None:
    require(Path("/usr/bin/chromium").exists(), "/usr/bin/chromium is not installed")
    out = subprocess.run(
        [str(ANJU), "bench", "web", "--json", *SMALL, "--gap", "0.05", "--requests", "5"],
        capture_output=True,
        check=True,
        timeout=150,
    )
    doc = json.loads(out.stdout)
    assert doc["homes"] == 120 and doc["open_alarms"] == 15 and doc["state_store"] == "sqlite"

    load = doc["board_load"]
    assert load["n"] == 2 and 0 < load["p50_ms"] <= load["p95_ms"] < 30_000
    assert 0 < load["api_alarms_fetch_p50_ms"] < load["p95_ms"]

    new = doc["new_alarm"]
    assert new["n"] == 8 and new["lost"] == 0 and new["open_at_end"] == 23
    assert 0 < new["p50_ms"] <= new["p99_ms"] < 5_000  # after the raise, never before it
    assert new["next_frame"]["p50_ms"] >= new["p50_ms"]
    assert new["feed_event"]["n"] == new["event_to_row"]["n"] == 8  # the split: server, page
    assert 0 < new["feed_event"]["p50_ms"] <= new["p50_ms"]
    assert new["event_to_row"]["p50_ms"] >= 0
    assert abs(new["browser_clock_skew_ms"]) < 50

    api = doc["api"]["endpoints"]
    assert {"/healthz", "/api/me", "/api/alarms?open=true", "/api/homes"} <= api.keys()
    assert {"/api/checkins", "/api/devices", "/api/audit"} <= api.keys()
    extra = {"/api/users", "/api/kpi", "/api/checkins/coverage", "/api/homes/bh00001/readings"}
    assert extra <= api.keys()
    assert api["/api/users"]["bytes"] > 100 * 50  # a page of the seeded family accounts
    assert api["/api/homes/bh00001/readings"]["bytes"] > 200 * 50  # a page of seeded readings
    every = "/api/alarms?open=true&limit=200 (every page)"
    assert api[every]["pages"] == 1  # 15 open alarms: one page
    for path, e in api.items():
        assert e["n"] == 5 and 0 < e["p50_ms"] <= e["p95_ms"] < 5_000, path
        assert e["bytes"] > 0, path
    assert api["/api/me"]["p95_vs_api_me"] == 1.0
    assert api["/api/alarms?open=true"]["bytes"] > 15 * 100  # every open alarm is listed
    assert set(doc["goals"]) == {
        "board_load_p95_le_1000_ms",
        "new_alarm_p99_le_200_ms",
        "api_lists_p95_le_50_ms",
    }
