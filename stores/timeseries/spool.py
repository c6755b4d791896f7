"""Anju's own bounded disk spool in front of InfluxDB (one SQLite file).

influxdb-client's batching writer keeps its buffer in memory without a bound and drops a batch
once `max_retry_time` (180 s by default) has passed, so an outage of InfluxDB longer than that
loses data. The spool instead:

- `append()` stores lines durably (WAL, synchronous=FULL) before it returns;
- the forwarder reads the oldest lines (`peek`) and deletes them only after InfluxDB accepted
  them (`ack`), so a crash between the two sends a batch twice, never zero times (InfluxDB
  overwrites an identical point: no duplicates);
- it is bounded by bytes of line protocol: when full, the oldest lines are evicted, counted in
  `evicted` and in the metric `anju_spool_evicted_points_total`, and logged;
- it survives restarts: pending lines are in the file and are forwarded after the next start.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from stores import metrics

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS spool (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id TEXT    NOT NULL,
    seq       INTEGER NOT NULL,
    ts_ms     INTEGER NOT NULL,
    line      BLOB    NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class Entry:
    """One point waiting for InfluxDB: its key (for dedup rebuilds) and its line."""

    device_id: str
    seq: int
    ts_ms: int
    line: bytes


class Spool:
    def __init__(self, path: Path, max_bytes: int) -> None:
        if max_bytes <= 0:
            raise ValueError("max_bytes must be positive")
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self.evicted = 0  # since this process started; the metric counts too
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            self.path, timeout=30.0, isolation_level=None, check_same_thread=False
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        row = self._db.execute("SELECT count(*), coalesce(sum(length(line)), 0) FROM spool")
        self._points, self._bytes = row.fetchone()
        self._publish()

    def _publish(self) -> None:
        metrics.SPOOL_POINTS.set(self._points)
        metrics.SPOOL_BYTES.set(self._bytes)

    @property
    def points(self) -> int:
        with self._lock:
            return int(self._points)

    @property
    def size_bytes(self) -> int:
        with self._lock:
            return int(self._bytes)

    def append(self, entries: Sequence[Entry]) -> int:
        """Store entries durably; returns how many old points were evicted to make room."""
        if not entries:
            return 0
        rows = [(e.device_id, e.seq, e.ts_ms, e.line) for e in entries]
        added = sum(len(e.line) for e in entries)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(
                    "INSERT INTO spool (device_id, seq, ts_ms, line) VALUES (?, ?, ?, ?)", rows
                )
                self._points += len(rows)
                self._bytes += added
                evicted = self._evict_locked()
            except BaseException:
                self._db.execute("ROLLBACK")
                self._recount_locked()
                raise
            self._db.execute("COMMIT")
            self._publish()
        if evicted:
            self.evicted += evicted
            metrics.SPOOL_EVICTED.inc(evicted)
            log.warning(
                "spool full (%d bytes max): evicted the %d oldest points before InfluxDB "
                "accepted them",
                self.max_bytes,
                evicted,
            )
        return evicted

    def _evict_locked(self) -> int:
        excess = self._bytes - self.max_bytes
        if excess <= 0:
            return 0
        freed, count, last_id = 0, 0, None
        cursor = self._db.execute("SELECT id, length(line) FROM spool ORDER BY id")
        for row_id, size in cursor:
            freed += size
            count += 1
            last_id = row_id
            if freed >= excess:
                break
        cursor.close()
        if last_id is not None:
            self._db.execute("DELETE FROM spool WHERE id <= ?", (last_id,))
        self._points -= count
        self._bytes -= freed
        return count

    def _recount_locked(self) -> None:
        row = self._db.execute("SELECT count(*), coalesce(sum(length(line)), 0) FROM spool")
        self._points, self._bytes = row.fetchone()

    def peek(self, limit: int) -> list[tuple[int, bytes]]:
        """The oldest `limit` lines with their ids, oldest first."""
        with self._lock:
            return self._db.execute(
                "SELECT id, line FROM spool ORDER BY id LIMIT ?", (limit,)
            ).fetchall()

    def ack(self, upto_id: int) -> None:
        """InfluxDB accepted everything up to `upto_id`: delete it (evicted rows are gone)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            row = self._db.execute(
                "SELECT count(*), coalesce(sum(length(line)), 0) FROM spool WHERE id <= ?",
                (upto_id,),
            ).fetchone()
            self._db.execute("DELETE FROM spool WHERE id <= ?", (upto_id,))
            self._db.execute("COMMIT")
            self._points -= row[0]
            self._bytes -= row[1]
            self._publish()

    def keys_since(self, start_ms: int, chunk: int = 10_000) -> Iterator[tuple[str, int]]:
        """(device_id, seq) of pending points, paged by id (the spool may hold millions)."""
        last = 0
        while True:
            with self._lock:
                rows = self._db.execute(
                    "SELECT id, device_id, seq FROM spool WHERE id > ? AND ts_ms >= ? "
                    "ORDER BY id LIMIT ?",
                    (last, start_ms, chunk),
                ).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            for _, device_id, seq in rows:
                yield device_id, seq

    def close(self) -> None:
        with self._lock:
            self._db.close()
