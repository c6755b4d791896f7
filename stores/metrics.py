"""Prometheus metrics of the stores: latency, spool depth, spool evictions.

They live in prometheus_client's default registry, which the web app's `/metrics` exposes.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10)

WRITE_SECONDS = Histogram(
    "anju_store_write_seconds",
    "Time to store one batch of points durably",
    ["store"],
    buckets=_LATENCY_BUCKETS,
)
POINTS_WRITTEN = Counter("anju_store_points_written_total", "Points handed to a store", ["store"])
QUERY_SECONDS = Histogram(
    "anju_store_query_seconds", "Time of one time-series query", ["store"], buckets=_LATENCY_BUCKETS
)
STATE_SECONDS = Histogram(
    "anju_state_store_seconds",
    "Time of one state-store operation",
    ["op"],
    buckets=_LATENCY_BUCKETS,
)
SPOOL_POINTS = Gauge("anju_spool_points", "Points waiting in the disk spool for InfluxDB")
SPOOL_BYTES = Gauge("anju_spool_bytes", "Bytes of line protocol waiting in the disk spool")
SPOOL_EVICTED = Counter(
    "anju_spool_evicted_points_total",
    "Points dropped from a full spool (oldest first) before InfluxDB accepted them",
)
SPOOL_FORWARDED = Counter(
    "anju_spool_forwarded_points_total", "Points the forwarder delivered to InfluxDB"
)
SPOOL_FORWARD_ERRORS = Counter(
    "anju_spool_forward_errors_total", "Failed attempts to deliver a spool batch to InfluxDB"
)


def observe_write(store: str, seconds: float, points: int) -> None:
    WRITE_SECONDS.labels(store).observe(seconds)
    POINTS_WRITTEN.labels(store).inc(points)


def observe_query(store: str, seconds: float) -> None:
    QUERY_SECONDS.labels(store).observe(seconds)


SPOOL_REJECTED = Counter(
    "anju_spool_rejected_points_total",
    "Points InfluxDB refused as invalid (HTTP 400/422): dropped, since a retry cannot succeed",
)
