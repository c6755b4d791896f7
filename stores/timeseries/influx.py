"""InfluxDB 2.x time-series store: writes go through Anju's disk spool, reads use Flux.

`write()` returns once the points are in the spool on disk (durable; ingest may acknowledge
MQTT). A forwarder thread delivers them to `/api/v2/write` in batches (see forwarder.py).
influxdb-client is used only for its synchronous writer and its Flux query API: its own batching
writer keeps an unbounded in-memory buffer and gives a batch up after `max_retry_time`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from influxdb_client.client.influxdb_client import InfluxDBClient
from influxdb_client.client.write_api import SYNCHRONOUS
from influxdb_client.domain.write_precision import WritePrecision
from influxdb_client.rest import ApiException

from domain.points import FieldValue, Point
from stores import metrics
from stores.timeseries.forwarder import Backoff, Forwarder, Rejected, TooLarge
from stores.timeseries.lineprotocol import SEQ_FIELD, to_line
from stores.timeseries.spool import Entry, Spool

log = logging.getLogger(__name__)
_META_COLUMNS = frozenset({"result", "table", "home_id", "device_id", SEQ_FIELD})


def flux_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("${", "\\${") + '"'


def flux_time(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def query_flux(
    bucket: str,
    home_id: str,
    start_ms: int,
    end_ms: int,
    *,
    device_id: str | None = None,
    measurement: str | None = None,
    limit: int | None = None,
) -> str:
    parts = [
        f"from(bucket: {flux_string(bucket)})",
        f"range(start: {flux_time(start_ms)}, stop: {flux_time(end_ms)})",
        f"filter(fn: (r) => r.home_id == {flux_string(home_id)})",
    ]
    if device_id is not None:
        parts.append(f"filter(fn: (r) => r.device_id == {flux_string(device_id)})")
    if measurement is not None:
        parts.append(f"filter(fn: (r) => r._measurement == {flux_string(measurement)})")
    parts += [
        'pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")',
        "group()",
        'sort(columns: ["_time", "device_id", "seq"])',
    ]
    if limit is not None:
        parts.append(f"limit(n: {int(limit)})")
    return "\n  |> ".join(parts)


def record_to_point(values: dict[str, Any]) -> Point:
    """One pivoted Flux record (columns _time, _measurement, tags, one column per field)."""
    when: datetime = values["_time"]
    fields: dict[str, FieldValue] = {
        k: v
        for k, v in values.items()
        if not k.startswith("_") and k not in _META_COLUMNS and v is not None
    }
    return Point(
        ts_ms=round(when.timestamp() * 1000),
        home_id=str(values["home_id"]),
        device_id=str(values["device_id"]),
        seq=int(values[SEQ_FIELD]),
        measurement=str(values["_measurement"]),
        fields=fields,
    )


class InfluxTimeSeries:
    """`domain.ports.TimeSeriesStore` on InfluxDB 2.x, through a bounded disk spool."""

    def __init__(
        self,
        url: str,
        token: str,
        org: str,
        bucket: str,
        *,
        spool_path: Path,
        spool_max_bytes: int = 512 * 1024 * 1024,
        batch_points: int = 5000,
        timeout_ms: int = 10_000,
        backoff: Backoff | None = None,
        start: bool = True,
    ) -> None:
        self.org, self.bucket = org, bucket
        self._client = InfluxDBClient(url=url, token=token, org=org, timeout=timeout_ms)
        self._writer = self._client.write_api(write_options=SYNCHRONOUS)
        self.spool = Spool(spool_path, spool_max_bytes)
        self.forwarder = Forwarder(
            self.spool, self._send, batch_points=batch_points, backoff=backoff
        )
        if start:
            self.forwarder.start()

    def _send(self, body: bytes) -> None:
        try:
            self._writer.write(
                bucket=self.bucket,
                org=self.org,
                record=body,
                write_precision=WritePrecision.MS,  # type: ignore[arg-type]  # a str constant
            )
        except ApiException as exc:
            status = getattr(exc, "status", None)
            if status in (400, 422):
                raise Rejected(f"HTTP {status}: {getattr(exc, 'body', '')!r}"[:500]) from exc
            if status == 413:
                raise TooLarge(str(exc)) from exc
            raise

    def write(self, points: Sequence[Point]) -> None:
        if not points:
            return
        started = time.perf_counter()
        self.spool.append([Entry(p.device_id, p.seq, p.ts_ms, to_line(p)) for p in points])
        metrics.observe_write("influxdb", time.perf_counter() - started, len(points))
        self.forwarder.wake()

    def query(
        self,
        home_id: str,
        start_ms: int,
        end_ms: int,
        *,
        device_id: str | None = None,
        measurement: str | None = None,
        limit: int | None = None,
    ) -> list[Point]:
        """What InfluxDB holds (points still in the spool appear once forwarded)."""
        started = time.perf_counter()
        flux = query_flux(
            self.bucket,
            home_id,
            start_ms,
            end_ms,
            device_id=device_id,
            measurement=measurement,
            limit=limit,
        )
        tables = self._client.query_api().query(flux, org=self.org)
        points = [record_to_point(record.values) for table in tables for record in table.records]
        metrics.observe_query("influxdb", time.perf_counter() - started)
        return points

    def keys_since(self, start_ms: int) -> Iterator[tuple[str, int]]:
        """Keys still in the spool, then keys in InfluxDB. If InfluxDB cannot be asked, only the
        spool's keys come back: a point delivered again overwrites itself in InfluxDB."""
        yield from self.spool.keys_since(start_ms)
        flux = (
            f"from(bucket: {flux_string(self.bucket)})\n"
            f"  |> range(start: {flux_time(start_ms)})\n"
            f'  |> filter(fn: (r) => r._field == "{SEQ_FIELD}")\n'
            '  |> keep(columns: ["device_id", "_value"])'
        )
        try:
            records = self._client.query_api().query_stream(flux, org=self.org)
            for record in records:
                yield str(record.values["device_id"]), int(record.values["_value"])
        except Exception as exc:
            log.warning("InfluxDB keys could not be read (%s): dedup relies on the spool", exc)

    def count(self) -> int:
        """Points in InfluxDB plus points waiting in the spool."""
        flux = (
            f"from(bucket: {flux_string(self.bucket)})\n"
            "  |> range(start: 0)\n"
            f'  |> filter(fn: (r) => r._field == "{SEQ_FIELD}")\n'
            "  |> group()\n  |> count()"
        )
        tables = self._client.query_api().query(flux, org=self.org)
        stored = sum(int(r.values["_value"]) for t in tables for r in t.records)
        return stored + self.spool.points

    def close(self, drain_timeout_s: float = 5.0) -> None:
        """Try to deliver what is spooled for a moment; the rest waits on disk for next start."""
        if drain_timeout_s > 0 and self.spool.points:
            self.forwarder.drain(drain_timeout_s)
        self.forwarder.stop()
        self.spool.close()
        self._client.close()  # type: ignore[no-untyped-call]
