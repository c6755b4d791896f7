"""SQL plumbing the state stores share: opening the database (SQLite's pragmas), one timed
transaction per call, and inserts that replace or keep a row whose key is already there."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

from stores import metrics


def make_engine(url: str, *, synchronous: str = "FULL") -> Engine:
    """`synchronous` is SQLite's durability: FULL (default) survives a power cut; OFF is for
    throw-away stores (the simulator's offline replay), where a commit then costs no fsync."""
    if synchronous not in ("FULL", "NORMAL", "OFF"):
        raise ValueError(f"synchronous must be FULL, NORMAL or OFF, not {synchronous!r}")
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True)
    database = parsed.database or ""
    if database in ("", ":memory:"):  # one shared connection (tests): use from one thread only
        engine = sa.create_engine(
            url, poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
    else:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 30})

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    return engine


@contextmanager
def transaction(engine: Engine, op: str) -> Iterator[Connection]:
    """One transaction, its duration observed as `op` in anju_state_store_seconds."""
    started = time.perf_counter()
    with engine.begin() as conn:
        yield conn
    metrics.STATE_SECONDS.labels(op).observe(time.perf_counter() - started)


def upsert(conn: Connection, table: sa.Table, row: dict[str, Any]) -> None:
    """Insert the row, or update the one with the same primary key."""
    keys = [c.name for c in table.primary_key.columns]
    updates = {k: v for k, v in row.items() if k not in keys}
    dialect = conn.dialect.name
    stmt: Any
    if dialect == "postgresql":
        stmt = postgresql.insert(table).values(row)
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_=updates)
    elif dialect == "sqlite":
        stmt = sqlite.insert(table).values(row)
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_=updates)
    else:  # portable fallback
        where = sa.and_(*(table.c[k] == row[k] for k in keys))
        if conn.execute(sa.update(table).where(where).values(updates)).rowcount:
            return
        stmt = sa.insert(table).values(row)
    conn.execute(stmt)


def upsert_many(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """`upsert` of many rows (same columns) in one statement; other dialects row by row."""
    if not rows:
        return
    dialect = conn.dialect.name
    if dialect not in ("sqlite", "postgresql"):  # portable fallback: row by row
        for row in rows:
            upsert(conn, table, row)
        return
    keys = [c.name for c in table.primary_key.columns]
    ins = (sqlite.insert if dialect == "sqlite" else postgresql.insert)(table)
    updates = {k: ins.excluded[k] for k in rows[0] if k not in keys}
    conn.execute(ins.on_conflict_do_update(index_elements=keys, set_=updates), rows)


def insert_missing(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert, keeping the existing row on a key conflict (idempotent)."""
    if not rows:
        return
    stmt: Any
    if conn.dialect.name == "postgresql":
        stmt = postgresql.insert(table).on_conflict_do_nothing()
    elif conn.dialect.name == "sqlite":
        stmt = sqlite.insert(table).on_conflict_do_nothing()
    else:
        raise RuntimeError(f"unsupported dialect {conn.dialect.name}")
    conn.execute(stmt, rows)


def ids_in(
    dialect: sa.Dialect, column: sa.ColumnElement[str], ids: Sequence[str]
) -> sa.ColumnElement[bool]:
    """`column IN ids` with the ids bound as ONE parameter: an array on PostgreSQL
    (`= ANY(:ids)`), a JSON array read by `json_each` on SQLite. SQLAlchemy's expanding IN
    renders one parameter per id at every execution, and psycopg cannot cache the statement
    text of a new length: ~1.6 ms per 200-id IN on PostgreSQL (cProfile), three per page of the
    alarm list. Any other dialect gets the plain IN."""
    if dialect.name == "postgresql":
        array = sa.bindparam(None, list(ids), type_=postgresql.ARRAY(sa.String))
        return column == sa.any_(array)
    if dialect.name == "sqlite":
        each = sa.func.json_each(sa.bindparam(None, json.dumps(list(ids)), type_=sa.String))
        return column.in_(sa.select(each.table_valued("value").c.value))
    return column.in_(list(ids))
