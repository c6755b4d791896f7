"""The board's tables on a real SQLite file and on the real PostgreSQL: records, check-ins,
call log, dispatches, presence, and the scoped homes query whose SQL tile equals the domain's."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from domain.access import HomeScope
from domain.alarms import Detection, Severity, open_alarm
from domain.calls import Callee, CallEntry, CallResult, Dispatch, dispatch_location
from domain.checkins import Checkin, CheckinKind, CheckinResult, with_month
from domain.model import Home, Resident
from domain.record import FamilyMember, Household, ResidentRecord, SelfCare
from domain.tiles import SILENT_AFTER_MS, HomeFacts, Tile, tile
from stores.state.checkins_query import coverage, due
from stores.state.homes_query import HomesQuery
from stores.state.records import BoardStore
from stores.state.sql import SqlStateStore
from tests.conftest import sql_store

NOW = 1_795_000_000_000  # 2026-11-18


EVERYTHING = HomeScope(all=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def state(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStateStore]:
    with sql_store(request.param, tmp_path) as s:
        yield s


def board_of(state: SqlStateStore) -> BoardStore:
    return BoardStore(state.engine, schema=state.schema)


def test_an_existing_database_gains_the_board_tables_and_keeps_its_rows(
    state: SqlStateStore,
) -> None:
    state.upsert_home(Home("h1", "c1", "嘎兰中路 8 号"))
    board = board_of(state)  # forward migration: only the missing tables are created
    again = board_of(state)  # and a second time is a no-op
    assert state.get_home("h1") is not None
    names = set(sa.inspect(state.engine).get_table_names(schema=state.schema))
    assert {"resident_records", "checkins", "call_log", "dispatches", "home_presence"} <= names
    assert again.get_record("nobody") is None and board.presence("h1") == (None, None, "")


def test_record_round_trips(state: SqlStateStore) -> None:
    board = board_of(state)
    record = ResidentRecord(
        "r1",
        household=Household.ALONE,
        registration="景洪市",
        family=(FamilyMember("玉香", "女儿", "+86 138 0000 0000", True),),
        conditions=("高血压", "轻度认知障碍"),
        self_care=SelfCare.PARTLY,
        medication=("氨氯地平 5mg 每日一次",),
        language="dai",
        benefits=("高龄补贴",),
        updated_ms=NOW,
        updated_by="op1",
    )
    board.save_record(record)
    assert board.get_record("r1") == record
    board.save_record(ResidentRecord("r1", self_care=SelfCare.DEPENDENT, updated_ms=NOW + 1))
    got = board.get_record("r1")
    assert got is not None and got.self_care is SelfCare.DEPENDENT and got.family == ()


def test_calls_and_dispatches_per_alarm(state: SqlStateStore) -> None:
    board = board_of(state)
    board.add_call(
        CallEntry("e2", "a1", "h1", NOW + 5, "op1", Callee.FAMILY, "玉香", "138", CallResult.BUSY)
    )
    board.add_call(
        CallEntry(
            "e1", "a1", "h1", NOW, "op1", Callee.RESIDENT, "岩温", "139", CallResult.NO_ANSWER
        )
    )
    assert [c.entry_id for c in board.calls("a1")] == ["e1", "e2"] and board.calls("a2") == []
    where = dispatch_location("嘎兰中路 8 号", 22.0, 100.8, (22.01, 100.79, NOW - 9), out=True)
    board.add_dispatch(Dispatch("d1", "a1", "h1", NOW, "op1", "120", where, "胸痛"))
    assert board.dispatches("a1") == [Dispatch("d1", "a1", "h1", NOW, "op1", "120", where, "胸痛")]


def test_presence_keeps_the_newest_activity_and_the_away_mark(state: SqlStateStore) -> None:
    board = board_of(state)
    board.note_activity("h1", NOW)
    board.note_activity("h1", NOW - 1000)  # late and older: ignored
    board.set_away("h1", NOW + 3_600_000, "住院", NOW)
    assert board.presence("h1") == (NOW, NOW + 3_600_000, "住院")
    board.set_away("h1", None, "", NOW)
    assert board.presence("h1") == (NOW, None, "")


FACTS = list(
    itertools.product(
        [False, True],  # care alarm
        [False, True],  # notice
        [False, True],  # device fault
        [None, NOW - 1, NOW + 3_600_000],  # away until
        [None, NOW - SILENT_AFTER_MS, NOW - 60_000],  # last activity
    )
)


def _alarm(state: SqlStateStore, home: str, type_: str, severity: Severity) -> None:
    state.save_alarm(open_alarm(uuid.uuid4().hex, Detection(home, type_, severity, NOW), NOW))


def test_sql_tiles_equal_the_domain_rule_for_every_combination(state: SqlStateStore) -> None:
    board = board_of(state)
    expected: dict[str, Tile] = {}
    for i, (care, notice, fault, away, last) in enumerate(FACTS):
        home = f"h{i:03d}"
        state.upsert_home(Home(home, "c1"))
        if care:
            _alarm(state, home, "sos", Severity.CRITICAL)
        if notice:
            _alarm(state, home, "wellness", Severity.MINOR)
        if fault:
            _alarm(state, home, "device_offline", Severity.TECHNICAL)
        if away is not None:
            board.set_away(home, away, "", NOW)
        if last is not None:
            board.note_activity(home, last)
        expected[home] = tile(HomeFacts(care, notice, fault, away, last), NOW)
    query = HomesQuery(board)
    total, rows, counts = query.page(EVERYTHING, NOW, limit=500)
    assert total == len(FACTS) and {r.home_id: r.tile for r in rows} == expected
    assert counts == {t.value: list(expected.values()).count(t) for t in Tile}
    total, rows, _ = query.page(EVERYTHING, NOW, tile=Tile.AWAY, limit=500)
    assert total == len(rows) == list(expected.values()).count(Tile.AWAY)
    assert query.home_tile("h000", NOW) is expected["h000"]


def test_scope_search_and_paging_are_done_in_the_query(state: SqlStateStore) -> None:
    board = board_of(state)
    for i in range(30):
        community = "c1" if i < 20 else "c2"
        state.upsert_home(Home(f"h{i:02d}", community, f"嘎兰中路 {i} 号"))
        state.upsert_resident(Resident(f"r{i:02d}", f"h{i:02d}", "岩温" if i == 7 else f"老人{i}"))
    query = HomesQuery(board)
    total, rows, _ = query.page(HomeScope(communities=frozenset({"c2"})), NOW, limit=4, offset=8)
    assert total == 10 and [r.home_id for r in rows] == ["h28", "h29"]
    total, rows, _ = query.page(HomeScope(homes=frozenset({"h03", "h25"})), NOW)
    assert total == 2 and rows[0].residents == (("r03", "老人3"),)
    assert query.page(HomeScope(), NOW)[0] == 0  # an empty scope sees nothing
    assert [r.home_id for r in query.page(EVERYTHING, NOW, q="岩温")[1]] == ["h07"]
    assert [r.home_id for r in query.page(EVERYTHING, NOW, q="h1", community="c1")[1]] == [
        f"h1{i}" for i in range(10)
    ]
    assert query.page(EVERYTHING, NOW, q="100%")[0] == 0  # wildcards are literal
    assert [r.home_id for r in query.page(EVERYTHING, NOW, q="中路 2 号")[1]] == ["h02"]


def test_checkins_due_and_coverage(state: SqlStateStore) -> None:
    board = board_of(state)
    for i in range(4):
        community = "c1" if i < 3 else "c2"
        state.upsert_home(Home(f"h{i}", community))
        state.upsert_resident(Resident(f"r{i}", f"h{i}", f"老人{i}"))

    def add(resident: str, at: int, result: CheckinResult = CheckinResult.WELL) -> None:
        home = "h" + resident[1:]
        community = "c1" if resident != "r3" else "c2"
        board.add_checkin(
            with_month(
                Checkin(uuid.uuid4().hex, resident, home, community, CheckinKind.VISIT, at, "op1",
                        result)
            )
        )  # fmt: skip

    add("r0", NOW)
    add("r1", NOW, CheckinResult.NOT_REACHED)
    add("r2", NOW - 40 * 86_400_000)  # October
    add("r3", NOW)
    query = HomesQuery(board)
    assert coverage(query, EVERYTHING, "2026-11") == [("c1", 3, 1), ("c2", 1, 1)]
    assert coverage(query, HomeScope(communities=frozenset({"c2"})), "2026-11") == [("c2", 1, 1)]
    total, rows = due(query, EVERYTHING, "2026-11")
    assert total == 2 and [r.resident_id for r in rows] == ["r1", "r2"]
    assert rows[0].last_ms is None and rows[1].last_ms == NOW - 40 * 86_400_000
    assert due(query, HomeScope(communities=frozenset({"c2"})), "2026-11")[0] == 0
    assert [c.resident_id for c in board.checkins_of("r1")] == ["r1"]


def test_presence_recorder_keeps_the_newest_sign_of_life(state: SqlStateStore) -> None:
    from types import SimpleNamespace
    from typing import cast

    from domain import contract
    from domain.decode import Message
    from domain.model import Device, DeviceKind
    from stores.state.presence import PresenceRecorder

    board = board_of(state)
    recorder = PresenceRecorder(board, flush_s=5)
    pir = Device("h1-pir", "h1", DeviceKind.MOTION)
    door = Device("h2-door", "h2", DeviceKind.DOOR)

    def msg(body: object) -> Message:
        return cast(Message, SimpleNamespace(body=body))

    recorder.on_message(msg(contract.Motion(v=1, seq=1, ts=NOW - 50, state=True)), pir, NOW)
    recorder.on_message(msg(contract.Motion(v=1, seq=2, ts=NOW - 10, state=False)), pir, NOW)
    recorder.on_message(msg(contract.Door(v=1, seq=1, ts=NOW - 20, state="open")), door, NOW)
    recorder.on_message(msg(contract.Door(v=1, seq=2, ts=NOW - 5, state="closed")), door, NOW)
    recorder.tick(NOW)
    assert board.presence("h1")[0] == NOW - 50 and board.presence("h2")[0] == NOW - 20
    recorder.on_message(msg(contract.Motion(v=1, seq=3, ts=NOW - 90, state=True)), pir, NOW + 1)
    recorder.tick(NOW + 1)  # within flush_s: nothing written yet
    recorder.tick(NOW + 6000)  # older than what is stored: kept as it was
    assert board.presence("h1")[0] == NOW - 50
    pendant = Device("h3-pendant", "h3", DeviceKind.PENDANT)  # a hand pressed its button
    recorder.on_message(msg(contract.Sos(v=1, seq=1, ts=NOW - 30)), pendant, NOW)
    recorder.tick(NOW + 12000)
    assert board.presence("h3")[0] == NOW - 30


def test_demo_seed_gives_every_resident_a_record_and_half_a_checkin(state: SqlStateStore) -> None:
    from anju.commands.demo_board import seed_board

    homes = [Home(f"d{i}", "c1") for i in range(4)]
    residents = [Resident(f"dr{i}", f"d{i}", f"老人{i}") for i in range(4)]
    for h in homes:
        state.upsert_home(h)
    for r in residents:
        state.upsert_resident(r)
    board = board_of(state)
    assert seed_board(board, homes, residents, NOW) == 4
    assert seed_board(board, homes, residents, NOW) == 0  # kept, not doubled
    assert all(board.get_record(r.resident_id) is not None for r in residents)
    assert coverage(HomesQuery(board), EVERYTHING, "2026-11") == [("c1", 4, 2)]
