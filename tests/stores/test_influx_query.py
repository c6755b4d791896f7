"""The InfluxDB adapter's query path: against a real InfluxDB 2.x when INFLUXDB_URL is set.

No InfluxDB 2 can be installed on the project's machines (Debian ships 1.6 without the v2 API),
so the round trip runs only where one is configured; the Flux text is checked everywhere.
"""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domain.points import Point
from stores.timeseries.influx import InfluxTimeSeries, query_flux, record_to_point


def test_flux_filters_and_quotes() -> None:
    flux = query_flux("anju", 'h"1', 0, 1500, device_id="d1", measurement="event", limit=5)
    assert 'r.home_id == "h\\"1"' in flux
    assert "range(start: 1970-01-01T00:00:00.000000Z, stop: 1970-01-01T00:00:01.500000Z)" in flux
    assert 'r.device_id == "d1"' in flux
    assert 'r._measurement == "event"' in flux
    assert flux.endswith("limit(n: 5)")


def test_pivoted_record_becomes_a_point() -> None:
    values = {
        "result": "_result",
        "table": 0,
        "_start": None,
        "_time": datetime(2026, 1, 1, 0, 0, 0, 123000, tzinfo=UTC),
        "_measurement": "reading",
        "home_id": "h1",
        "device_id": "d1",
        "seq": 7,
        "heart_rate": 70.5,
        "steps": None,  # this point had no such field
    }
    assert record_to_point(values) == Point(
        1767225600123, "h1", "d1", 7, "reading", {"heart_rate": 70.5}
    )


def test_query_round_trip_against_real_influxdb(tmp_path: Path) -> None:
    url = os.environ.get("INFLUXDB_URL")
    if not url:
        pytest.skip("INFLUXDB_URL (+INFLUXDB_TOKEN, INFLUXDB_ORG, INFLUXDB_BUCKET) is not set")
    store = InfluxTimeSeries(
        url,
        os.environ.get("INFLUXDB_TOKEN", ""),
        os.environ.get("INFLUXDB_ORG", "anju"),
        os.environ.get("INFLUXDB_BUCKET", "anju"),
        spool_path=tmp_path / "spool.db",
    )
    home = f"test-{uuid.uuid4().hex[:8]}"
    start = int(time.time() * 1000) - 60_000
    written = [
        Point(start + i * 100, home, "d1", i, "reading", {"heart_rate": 60.0 + i, "steps": i})
        for i in range(20)
    ] + [Point(start + 5, home, "d2", 1, "event", {"type": "sos"})]
    store.write(written)
    assert store.forwarder.drain(30)
    got = store.query(home, start, start + 10_000)
    assert sorted(got, key=lambda p: (p.ts_ms, p.device_id)) == sorted(
        written, key=lambda p: (p.ts_ms, p.device_id)
    )
    assert store.query(home, start, start + 10_000, measurement="event")[0].fields == {
        "type": "sos"
    }
    assert len(store.query(home, start, start + 10_000, device_id="d1", limit=3)) == 3
    assert ("d1", 5) in set(store.keys_since(start))
    store.close()
