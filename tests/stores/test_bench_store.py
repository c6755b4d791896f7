"""The store benchmark runs end to end on a small N and its figures are consistent."""

from __future__ import annotations

import json
import subprocess
import sys

from benchmarks.timeseries_store import DAY_MS, T_END, make_points, run


def test_points_cover_48_hours_and_half_is_in_the_last_day() -> None:
    points = make_points(1000, homes=4, devices=2)
    assert min(p.ts_ms for p in points) == T_END - 2 * DAY_MS
    assert max(p.ts_ms for p in points) < T_END
    assert sum(p.ts_ms >= T_END - DAY_MS for p in points) == 500


def test_run_measures_both_engines_without_loss_or_doubles() -> None:
    doc = run(n=3000, runs=1, homes=3, devices=2, queries=3)
    assert doc["lost_or_doubled"] == {"sqlite": 0, "duckdb": 0}
    for name in ("sqlite", "duckdb"):
        assert doc[name]["rows_per_s"] > 0
        assert doc[name]["query_ms"] > 0
        assert 400 <= doc[name]["rows_per_query"] <= 600  # ~1500 rows of a day over 3 homes
    expected = round(doc["sqlite"]["rows_per_s"] / doc["duckdb"]["rows_per_s"], 2)
    assert abs(doc["write_ratio_sqlite_over_duckdb"] - expected) <= 0.02
    assert doc["influx_spool_rows_per_s"] > 0


def test_the_command_prints_json() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "anju.cli",
            "bench",
            "store",
            "--n",
            "2000",
            "--runs",
            "1",
            "--homes",
            "2",
            "--queries",
            "2",
            "--json",
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    doc = json.loads(out)
    assert doc["n"] == 2000
    assert set(doc) >= {"sqlite", "duckdb", "write_ratio_sqlite_over_duckdb"}
