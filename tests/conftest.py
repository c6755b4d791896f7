"""Shared fixtures: real services (Mosquitto, PostgreSQL), the shared data folder.

Under CI=true a missing real service fails the test; elsewhere it skips with a message.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from broker.mosquitto import Mosquitto, find_mosquitto

if TYPE_CHECKING:
    from stores.state.sql import SqlStateStore

IN_CI = os.environ.get("CI") == "true"
REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("ANJU_SHARED_DATA", REPO.parent / "shared" / "data"))
PG_URL = os.environ.get("ANJU_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def require(condition: bool, message: str) -> None:
    """Skip (or fail under CI) when a real component is missing."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true and a real component is missing: {message}")
    pytest.skip(message)


def postgres_up() -> bool:
    """Whether the PostgreSQL at PG_URL answers (tests then `require()` it)."""
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


@contextmanager
def sql_store(kind: str, tmp_path: Path, *, prefix: str = "anju_test") -> Iterator[SqlStateStore]:
    """A fresh state store on SQLite (a file in `tmp_path`) or, for kind "postgresql", in a
    throwaway schema of the PostgreSQL at PG_URL (required: fails under CI when it is down)."""
    from stores.state.scratch import scratch_schema_store
    from stores.state.sql import SqlStateStore

    if kind == "sqlite":
        store = SqlStateStore(f"sqlite:///{tmp_path / 'state.db'}")
        try:
            yield store
        finally:
            store.close()
        return
    require(postgres_up(), f"PostgreSQL is not reachable at {PG_URL}")
    with scratch_schema_store(PG_URL, prefix=prefix) as store:
        yield store


def require_data(path: Path, what: str) -> Path:
    """Shared recordings are not on users' machines: always skip, never fail, when absent."""
    if not path.exists():
        pytest.skip(f"{what} not found at {path} (../shared/data is only beside the checkout)")
    return path


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[Mosquitto]:
    """A fresh Mosquitto with Anju's configuration on a free port."""
    require(find_mosquitto() is not None, "mosquitto is not installed")
    broker = Mosquitto(tmp_path / "mosquitto")
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture(scope="session")
def sisfall_path() -> Path:
    return require_data(SHARED_DATA / "sisfall" / "sisfall_adxl345_int16.npz", "SisFall")


@pytest.fixture(scope="session")
def vankasteren_path() -> Path:
    return require_data(SHARED_DATA / "vankasteren", "van Kasteren homes")
