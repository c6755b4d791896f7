"""A state store in a throwaway PostgreSQL schema (tests and benchmarks), dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from stores.state.sql import SqlStateStore


@contextmanager
def scratch_schema_store(url: str, *, prefix: str = "anju_test") -> Iterator[SqlStateStore]:
    """A `SqlStateStore` on `url` in a new schema named `<prefix>_<random>`; the schema and
    everything in it is dropped when the block ends."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        store = SqlStateStore(url, schema=schema)
        try:
            yield store
        finally:
            store.close()
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()
