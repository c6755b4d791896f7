"""The gateway's durable queue: everything not yet acknowledged upstream, on disk (SQLite WAL).

Rows are written in batches (one transaction per batch) and only then acknowledged to the local
broker, so a message is always either in the local broker's session or in this file. A row is
deleted only when Anju's broker has acknowledged it (PUBACK).

The queue is bounded by rows and by payload bytes. When a batch would cross a bound, the oldest
rows of the lowest priority go first: readings (priority 2), then other events and status
(priority 1). Alarms (priority 0) are never evicted; when only alarms are left the bound is
exceeded rather than an alarm dropped. Every eviction is counted, persistently, so the gateway can
report it upstream when the line is back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from gateway.priority import ALARM, LOWEST

_SCHEMA = """
CREATE TABLE IF NOT EXISTS q (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    prio INTEGER NOT NULL,
    topic TEXT NOT NULL,
    payload BLOB NOT NULL,
    retain INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS q_prio_id ON q (prio, id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


@dataclass(frozen=True, slots=True)
class Item:
    """A message to keep: its priority (see gateway.priority), topic, payload, retain flag."""

    prio: int
    topic: str
    payload: bytes
    retain: bool = False


@dataclass(frozen=True, slots=True)
class Row:
    id: int
    prio: int
    topic: str
    payload: bytes
    retain: bool


class DurableQueue:
    """Not thread-safe: one thread (the gateway's pump) owns it."""

    def __init__(
        self,
        path: Path,
        max_rows: int = 1_000_000,
        max_bytes: int = 256 * 1024 * 1024,
        synchronous: str = "FULL",
    ) -> None:
        if synchronous not in ("FULL", "NORMAL"):
            raise ValueError("synchronous must be FULL or NORMAL")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._synchronous = synchronous
        self._db.execute(f"PRAGMA synchronous={synchronous}")
        self._db.executescript(_SCHEMA)
        rows, size = self._db.execute(
            "SELECT count(*), coalesce(sum(length(payload)), 0) FROM q"
        ).fetchone()
        self.rows: int = rows
        self.bytes: int = size

    # -- writing -------------------------------------------------------------------------------
    def put_many(self, items: Sequence[Item]) -> int:
        """Store a batch durably (one transaction); returns how many rows were evicted for it."""
        if not items:
            return 0
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany(
                "INSERT INTO q (prio, topic, payload, retain) VALUES (?, ?, ?, ?)",
                [(i.prio, i.topic, i.payload, int(i.retain)) for i in items],
            )
            self.rows += len(items)
            self.bytes += sum(len(i.payload) for i in items)
            evicted = self._evict()
            if evicted:
                self._bump("evicted", evicted)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            self._recount()
            raise
        return evicted

    def _evict(self) -> int:
        evicted = 0
        for prio in range(LOWEST, ALARM, -1):
            while self.rows > self.max_rows or self.bytes > self.max_bytes:
                over_rows = max(self.rows - self.max_rows, 0)
                chunk = max(over_rows, 256)
                victims = self._db.execute(
                    "SELECT id, length(payload) FROM q WHERE prio = ? ORDER BY id LIMIT ?",
                    (prio, chunk),
                ).fetchall()
                if not victims:
                    break
                chosen: list[int] = []
                for row_id, size in victims:
                    if self.rows <= self.max_rows and self.bytes <= self.max_bytes:
                        break
                    chosen.append(row_id)
                    self.rows -= 1
                    self.bytes -= size
                self._db.execute(
                    "DELETE FROM q WHERE prio = ? AND id <= ?",
                    (prio, chosen[-1]),
                )
                evicted += len(chosen)
        return evicted

    def delete(self, ids: Iterable[int]) -> None:
        """Forget rows Anju has acknowledged (unknown ids are ignored: they may be evicted)."""
        batch = [(i,) for i in ids]
        if not batch:
            return
        db = self._db
        rows = size = 0
        # A forgotten delete costs a duplicate upstream (Anju drops it on (device, seq)), never a
        # loss: deletes skip the fsync; the next insert's commit (FULL) makes them durable too.
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("BEGIN IMMEDIATE")
        try:
            for row_id in batch:
                for (length,) in db.execute(
                    "DELETE FROM q WHERE id = ? RETURNING length(payload)", row_id
                ):
                    rows += 1
                    size += length
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            self._recount()
            raise
        finally:
            db.execute(f"PRAGMA synchronous={self._synchronous}")
        self.rows -= rows
        self.bytes -= size

    def _recount(self) -> None:
        self.rows, self.bytes = self._db.execute(
            "SELECT count(*), coalesce(sum(length(payload)), 0) FROM q"
        ).fetchone()

    # -- reading -------------------------------------------------------------------------------
    def fetch(self, prio: int, after: int, upto: int | None, limit: int) -> list[Row]:
        """Rows of one priority with `after < id <= upto`, oldest first."""
        if limit <= 0:
            return []
        bound = upto if upto is not None else 2**62
        cursor = self._db.execute(
            "SELECT id, prio, topic, payload, retain FROM q"
            " WHERE prio = ? AND id > ? AND id <= ? ORDER BY id LIMIT ?",
            (prio, after, bound, limit),
        )
        return [Row(r[0], r[1], r[2], bytes(r[3]), bool(r[4])) for r in cursor]

    def max_id(self) -> int:
        value = self._db.execute("SELECT coalesce(max(id), 0) FROM q").fetchone()[0]
        return int(value)

    def count_by_priority(self) -> dict[int, int]:
        return dict(self._db.execute("SELECT prio, count(*) FROM q GROUP BY prio").fetchall())

    # -- counters that survive restarts --------------------------------------------------------
    def _bump(self, key: str, by: int) -> int:
        self._db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = value + excluded.value",
            (key, by),
        )
        return self.counter(key)

    def counter(self, key: str) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return int(row[0]) if row else 0

    def next_seq(self) -> int:
        """The gateway's own message sequence number: grows across restarts."""
        self._db.execute("BEGIN IMMEDIATE")
        value = self._bump("seq", 1)
        self._db.execute("COMMIT")
        return value

    @property
    def evicted(self) -> int:
        return self.counter("evicted")

    def close(self) -> None:
        self._db.close()
