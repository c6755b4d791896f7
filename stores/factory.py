"""Build the configured stores from plain arguments (anju/wiring.py passes the settings in)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from domain.ports import StateStore, TimeSeriesStore

TimeSeriesKind = Literal["sqlite", "influxdb"]


def make_timeseries(
    kind: TimeSeriesKind,
    *,
    path: Path,
    influxdb_url: str = "http://127.0.0.1:8086",
    influxdb_token: str = "",
    influxdb_org: str = "anju",
    influxdb_bucket: str = "anju",
    spool_max_bytes: int = 512 * 1024 * 1024,
) -> TimeSeriesStore:
    """`path` is the SQLite file, or for InfluxDB the spool file (kept beside it)."""
    if kind == "sqlite":
        from stores.timeseries.sqlite import SqliteTimeSeries

        return SqliteTimeSeries(path)
    if kind == "influxdb":
        from stores.timeseries.influx import InfluxTimeSeries

        return InfluxTimeSeries(
            url=influxdb_url,
            token=influxdb_token,
            org=influxdb_org,
            bucket=influxdb_bucket,
            spool_path=path.with_name(path.stem + ".influx-spool.db"),
            spool_max_bytes=spool_max_bytes,
        )
    raise ValueError(f"unknown time-series store {kind!r} (sqlite or influxdb)")


def make_state(url: str) -> StateStore:
    from stores.state.sql import SqlStateStore

    return SqlStateStore(url)
