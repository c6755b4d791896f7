"""Many detector blobs in one write: inserted, replaced; an empty call writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stores.state.sql import SqlStateStore
from tests.conftest import sql_store


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStateStore]:
    with sql_store(request.param, tmp_path) as s:
        yield s


def test_save_blobs_inserts_replaces_and_keeps_the_others(store: SqlStateStore) -> None:
    store.save_blobs({"detector/a": b"1", "detector/b": b"2"})
    store.save_blobs({"detector/a": b"3", "detector/c": b"4"})
    store.save_blobs({})
    got = [store.load_blob(k) for k in ("detector/a", "detector/b", "detector/c", "detector/d")]
    assert got == [b"3", b"2", b"4", None]
