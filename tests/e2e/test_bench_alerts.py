"""`anju bench alerts` at toy size: it runs, measures every press, and loses nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from broker.mosquitto import find_mosquitto
from tests.conftest import require

ANJU = Path(sys.executable).with_name("anju")


def test_bench_alerts_small_run_prints_the_figures() -> None:
    require(find_mosquitto() is not None, "mosquitto is not installed")
    out = subprocess.run(
        [
            str(ANJU),
            "bench",
            "alerts",
            "--json",
            "--n",
            "6",
            "--idle-n",
            "2",
            "--rate",
            "300",
            "--homes",
            "4",
            "--pendants",
            "2",
            "--gap",
            "0.05",
            "--settle",
            "0.3",
        ],
        capture_output=True,
        check=True,
        timeout=120,
    )
    doc = json.loads(out.stdout)
    assert {"p50_ms", "p99_ms", "background_per_s"} <= doc.keys()
    assert doc["lost"] == 0 and doc["idle_lost"] == 0 and doc["mqtt_lost"] == 0
    assert 0 < doc["p50_ms"] <= doc["p99_ms"] < 5000
    assert 200 < doc["background_per_s"] < 400
    assert doc["background_stored"] == doc["background_sent"] > 0
    assert doc["stages"]["alarm_handle"]["count"] == 8
