"""Which embedded time-series store: SQLite or DuckDB, measured on the same points in one run.

Both stores get the same work: N points of H homes (D devices each) spread over 48 hours,
written in batches of 1000 (one durable transaction per batch, idempotent on (device, seq)),
then Q queries "this home's last 24 hours" and Q of its last hour, returning decoded Points.
The InfluxDB adapter's write path (line protocol into its disk spool) is timed
on the same batches, since that is what ingest waits for when InfluxDB is configured.
Each engine runs R times, alternating, on fresh files; medians are reported with the ratio,
because the 2 cores here are shared and absolute figures drift.

SQLite is the real store (`stores.timeseries.sqlite`). DuckDB gets its fastest Python path for
bulk inserts (a registered dict of numpy columns, INSERT OR IGNORE ... SELECT) so it is not
handicapped by executemany (3.3 s for 1000 rows here: over 100 times slower).
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from domain.points import FieldValue, Point
from stores.timeseries.lineprotocol import to_line
from stores.timeseries.spool import Entry, Spool
from stores.timeseries.sqlite import SqliteTimeSeries, decode_fields, encode_fields

HOUR_MS = 3600 * 1000
DAY_MS = 24 * HOUR_MS
T_END = 1_767_225_600_000  # the query's "now"


class Store(Protocol):
    def write(self, points: Sequence[Point]) -> None: ...

    def query(self, home_id: str, start_ms: int, end_ms: int) -> list[Point]: ...

    def count(self) -> int: ...

    def close(self) -> None: ...


class DuckDbTimeSeries:
    """The same table and semantics as the SQLite store, on DuckDB (benchmark only)."""

    def __init__(self, path: Path) -> None:
        import duckdb

        self._db = duckdb.connect(str(path))
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS points (device_id VARCHAR NOT NULL, seq BIGINT NOT NULL,"
            " home_id VARCHAR NOT NULL, ts_ms BIGINT NOT NULL, measurement VARCHAR NOT NULL,"
            " fields VARCHAR NOT NULL, PRIMARY KEY (device_id, seq))"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS points_home_ts ON points (home_id, ts_ms)")

    def write(self, points: Sequence[Point]) -> None:
        batch = {
            "device_id": np.array([p.device_id for p in points], dtype=object),
            "seq": np.array([p.seq for p in points], dtype=np.int64),
            "home_id": np.array([p.home_id for p in points], dtype=object),
            "ts_ms": np.array([p.ts_ms for p in points], dtype=np.int64),
            "measurement": np.array([p.measurement for p in points], dtype=object),
            "fields": np.array([encode_fields(p.fields).decode() for p in points], dtype=object),
        }
        self._db.execute("BEGIN TRANSACTION")
        self._db.register("batch", batch)
        self._db.execute(
            "INSERT OR IGNORE INTO points SELECT device_id, seq, home_id, ts_ms, measurement,"
            " fields FROM batch"
        )
        self._db.unregister("batch")
        self._db.execute("COMMIT")

    def query(self, home_id: str, start_ms: int, end_ms: int) -> list[Point]:
        rows = self._db.execute(
            "SELECT ts_ms, home_id, device_id, seq, measurement, fields FROM points"
            " WHERE home_id = ? AND ts_ms >= ? AND ts_ms < ? ORDER BY ts_ms, device_id, seq",
            [home_id, start_ms, end_ms],
        ).fetchall()
        return [Point(r[0], r[1], r[2], r[3], r[4], decode_fields(r[5])) for r in rows]

    def count(self) -> int:
        row = self._db.execute("SELECT count(*) FROM points").fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        self._db.close()


def make_points(n: int, homes: int, devices: int, seed: int = 0) -> list[Point]:
    """Readings spread evenly over the 48 hours before T_END, in arrival order."""
    rng = random.Random(seed)
    step = 2 * DAY_MS // n
    points = []
    for i in range(n):
        h, d = rng.randrange(homes), rng.randrange(devices)
        fields: dict[str, FieldValue] = {
            "heart_rate": round(rng.uniform(55, 95), 1),
            "battery": 80.0,
            "steps": i,
        }
        points.append(
            Point(T_END - 2 * DAY_MS + i * step, f"h{h}", f"h{h}-d{d}", i, "reading", fields)
        )
    return points


def _file_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def measure(
    factory: Callable[[Path], Store], path: Path, points: list[Point], homes: int, queries: int
) -> dict[str, Any]:
    store = factory(path)
    batches = [points[i : i + 1000] for i in range(0, len(points), 1000)]
    started = time.perf_counter()
    for batch in batches:
        store.write(batch)
    write_s = time.perf_counter() - started
    query_ms, rows, hour_ms = [], [], []
    for q in range(queries):
        started = time.perf_counter()
        got = store.query(f"h{q % homes}", T_END - DAY_MS, T_END)
        query_ms.append((time.perf_counter() - started) * 1000)
        rows.append(len(got))
        started = time.perf_counter()
        store.query(f"h{q % homes}", T_END - HOUR_MS, T_END)  # the board's "recent activity"
        hour_ms.append((time.perf_counter() - started) * 1000)
    store.write(batches[0])  # redelivery must not add rows
    stored = store.count()
    store.close()
    return {
        "rows_per_s": len(points) / write_s,
        "query_ms": statistics.median(query_ms),
        "rows_per_query": statistics.median(rows),
        "query_1h_ms": statistics.median(hour_ms),
        "stored": stored,
        "file_bytes": _file_bytes(path),
    }


def measure_spool(path: Path, points: list[Point]) -> float:
    """Rows/s of the InfluxDB adapter's write(): line protocol into the disk spool, no server."""
    spool = Spool(path, max_bytes=10**12)
    batches = [points[i : i + 1000] for i in range(0, len(points), 1000)]
    started = time.perf_counter()
    for batch in batches:
        spool.append([Entry(p.device_id, p.seq, p.ts_ms, to_line(p)) for p in batch])
    elapsed = time.perf_counter() - started
    spool.close()
    return len(points) / elapsed


ENGINES: dict[str, Callable[[Path], Store]] = {
    "sqlite": SqliteTimeSeries,
    "duckdb": DuckDbTimeSeries,
}


def run(
    n: int = 200_000, runs: int = 3, homes: int = 20, devices: int = 5, queries: int = 20
) -> dict[str, Any]:
    points = make_points(n, homes, devices)
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in ENGINES}
    spool_rates: list[float] = []
    with tempfile.TemporaryDirectory(prefix="anju-bench-store-") as tmp:
        for r in range(runs):
            for name, factory in ENGINES.items():
                path = Path(tmp) / f"{name}-{r}.db"
                results[name].append(measure(factory, path, points, homes, queries))
            spool_rates.append(measure_spool(Path(tmp) / f"spool-{r}.db", points))
    doc: dict[str, Any] = {"n": n, "batch": 1000, "runs": runs, "homes": homes, "devices": devices}
    for name, found in results.items():
        doc[name] = {
            "rows_per_s": round(statistics.median(x["rows_per_s"] for x in found)),
            "rows_per_s_runs": [round(x["rows_per_s"]) for x in found],
            "query_ms": round(statistics.median(x["query_ms"] for x in found), 2),
            "rows_per_query": statistics.median(x["rows_per_query"] for x in found),
            "query_1h_ms": round(statistics.median(x["query_1h_ms"] for x in found), 3),
            "stored": found[-1]["stored"],
            "file_mb": round(found[-1]["file_bytes"] / 1e6, 1),
        }
    sqlite, duck = doc["sqlite"], doc["duckdb"]
    doc["write_ratio_sqlite_over_duckdb"] = round(sqlite["rows_per_s"] / duck["rows_per_s"], 2)
    doc["query_ratio_duckdb_over_sqlite"] = round(duck["query_ms"] / sqlite["query_ms"], 2)
    doc["query_1h_ratio_duckdb_over_sqlite"] = round(duck["query_1h_ms"] / sqlite["query_1h_ms"], 2)
    doc["influx_spool_rows_per_s"] = round(statistics.median(spool_rates))
    doc["spool_ratio_over_sqlite"] = round(doc["influx_spool_rows_per_s"] / sqlite["rows_per_s"], 2)
    doc["lost_or_doubled"] = {k: doc[k]["stored"] - n for k in ENGINES}
    return doc
