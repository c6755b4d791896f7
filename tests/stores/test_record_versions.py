"""Health records keep the first of two edits made from the same version (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.record import ResidentRecord
from stores.state.records import BoardStore, RecordConflictError
from tests.conftest import sql_store


@pytest.fixture(params=["sqlite", "postgresql"])
def board(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BoardStore]:
    with sql_store(request.param, tmp_path) as store:
        yield BoardStore(store.engine, schema=store.schema)


def rec(conditions: tuple[str, ...], at: int, by: str) -> ResidentRecord:
    return ResidentRecord("r1", conditions=conditions, updated_ms=at, updated_by=by)


def test_an_edit_from_an_old_version_is_refused_and_writes_nothing(board: BoardStore) -> None:
    board.save_record(rec(("高血压",), 100, "user:a"), based_on_ms=0)  # none stored yet
    with pytest.raises(RecordConflictError) as err:
        board.save_record(rec(("糖尿病",), 101, "user:b"), based_on_ms=0)  # b began before a saved
    assert (err.value.updated_ms, err.value.updated_by) == (100, "user:a")
    stored = board.get_record("r1")
    assert stored is not None and stored.conditions == ("高血压",)
    board.save_record(rec(("糖尿病",), 102, "user:b"), based_on_ms=100)  # from the current one
    board.save_record(rec(("冠心病",), 103, "user:c"))  # no version given: the last write wins
    stored = board.get_record("r1")
    assert stored is not None and (stored.conditions, stored.updated_by) == (("冠心病",), "user:c")
