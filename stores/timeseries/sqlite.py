"""The embedded time-series store: one SQLite file in WAL mode, one row per point.

Chosen over DuckDB by `anju bench store` (see docs/stores.md). Rows are keyed by
(device_id, seq) and written with INSERT OR IGNORE, so a redelivered message is stored once.
`write()` is one transaction per batch with synchronous=FULL: when it returns the batch is on
disk, and ingest may acknowledge the MQTT messages.

Threads: every thread gets its own connection (SQLite connections must not be shared while in
use); writes are serialised by a lock so two writers never wait on SQLite's busy handler.
In WAL mode readers see a snapshot and never block the writer.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import msgspec

from domain.points import FieldValue, Point
from stores import metrics

_SCHEMA = """
CREATE TABLE IF NOT EXISTS points (
    device_id   TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    home_id     TEXT    NOT NULL,
    ts_ms       INTEGER NOT NULL,
    measurement TEXT    NOT NULL,
    fields      BLOB    NOT NULL,
    PRIMARY KEY (device_id, seq)
);
CREATE INDEX IF NOT EXISTS points_home_ts ON points (home_id, ts_ms);
"""
_INSERT = (
    "INSERT OR IGNORE INTO points (device_id, seq, home_id, ts_ms, measurement, fields) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
_COLUMNS = "ts_ms, home_id, device_id, seq, measurement, fields"
KEYS_CHUNK = 10_000

_encode = msgspec.json.Encoder().encode
_decode_fields = msgspec.json.Decoder(dict[str, Any]).decode


def encode_fields(fields: dict[str, FieldValue]) -> bytes:
    return _encode(fields)


def decode_fields(raw: bytes | str) -> dict[str, FieldValue]:
    decoded: dict[str, FieldValue] = _decode_fields(raw)
    return decoded


class SqliteTimeSeries:
    """`domain.ports.TimeSeriesStore` on one SQLite file."""

    def __init__(self, path: Path, *, synchronous: str = "FULL") -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._synchronous = synchronous
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self._closed = False
        conn = self._conn()
        conn.executescript(_SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        if self._closed:
            raise RuntimeError("SqliteTimeSeries is closed")
        conn = sqlite3.connect(
            self.path, timeout=30.0, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={self._synchronous}")
        conn.execute("PRAGMA busy_timeout=30000")
        self._local.conn = conn
        with self._all_lock:
            self._all.append(conn)
        return conn

    def write(self, points: Sequence[Point]) -> None:
        if not points:
            return
        rows = [
            (p.device_id, p.seq, p.home_id, p.ts_ms, p.measurement, _encode(p.fields))
            for p in points
        ]
        started = time.perf_counter()
        conn = self._conn()
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(_INSERT, rows)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        metrics.observe_write("sqlite", time.perf_counter() - started, len(points))

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
        started = time.perf_counter()
        sql = f"SELECT {_COLUMNS} FROM points WHERE home_id = ? AND ts_ms >= ? AND ts_ms < ?"
        params: list[object] = [home_id, start_ms, end_ms]
        if device_id is not None:
            sql += " AND device_id = ?"
            params.append(device_id)
        if measurement is not None:
            sql += " AND measurement = ?"
            params.append(measurement)
        sql += " ORDER BY ts_ms, device_id, seq"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        rows = self._conn().execute(sql, params).fetchall()
        result = [Point(r[0], r[1], r[2], r[3], r[4], _decode_fields(r[5])) for r in rows]
        metrics.observe_query("sqlite", time.perf_counter() - started)
        return result

    def keys_since(self, start_ms: int) -> Iterator[tuple[str, int]]:
        """Streams in chunks by rowid: each chunk is a short read, the writer never waits."""
        conn = self._conn()
        last = 0
        while True:
            rows = conn.execute(
                "SELECT rowid, device_id, seq FROM points WHERE rowid > ? AND ts_ms >= ? "
                "ORDER BY rowid LIMIT ?",
                (last, start_ms, KEYS_CHUNK),
            ).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            for _, device, seq in rows:
                yield device, seq

    def count(self) -> int:
        row = self._conn().execute("SELECT count(*) FROM points").fetchone()
        return int(row[0])

    def close(self) -> None:
        self._closed = True
        with self._all_lock:
            conns, self._all = self._all, []
        for conn in conns:
            conn.close()
        self._local = threading.local()

    def __enter__(self) -> SqliteTimeSeries:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
