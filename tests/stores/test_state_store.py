"""The state store: the same tests on a real SQLite file and on the real PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.alarms import AlarmState, Change, Detection, Severity, open_alarm, repeat
from domain.model import Device, DeviceKind, Home, Resident, Room
from domain.ports import DeadLetter, StateStore
from stores.state.sql import SqlStateStore
from tests.conftest import sql_store


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStateStore]:
    with sql_store(request.param, tmp_path / "sub") as s:
        yield s


def test_it_is_a_state_store(store: SqlStateStore) -> None:
    port: StateStore = store  # mypy checks the protocol, this line keeps it checked
    assert port.list_homes() == []


def test_homes_upsert_and_read_back(store: SqlStateStore) -> None:
    home = Home("h1", "c1", "景洪市 曼听路 1 号", 22.0, 100.8)
    store.upsert_home(home)
    store.upsert_home(Home("h0", "c1"))
    assert store.get_home("h1") == home
    home.address = "new address"
    store.upsert_home(home)
    assert store.get_home("h1") == home
    assert [h.home_id for h in store.list_homes()] == ["h0", "h1"]
    assert store.get_home("missing") is None


def test_residents(store: SqlStateStore) -> None:
    mum = Resident("r1", "h1", "李秀英", 1941, phone="+86 138", risk=["lives_alone", "80plus"])
    store.upsert_resident(mum)
    store.upsert_resident(Resident("r2", "h1", "王建国"))
    store.upsert_resident(Resident("r3", "h2", "Other"))
    assert store.get_resident("r1") == mum
    assert [r.resident_id for r in store.list_residents("h1")] == ["r1", "r2"]
    mum.risk.append("dementia")
    store.upsert_resident(mum)
    got = store.get_resident("r1")
    assert got is not None
    assert got.risk == ["lives_alone", "80plus", "dementia"]
    assert store.get_resident("nobody") is None


def test_devices(store: SqlStateStore) -> None:
    pir = Device("m1", "h1", DeviceKind.MOTION, "anju-pir-1", Room.BATHROOM)
    store.upsert_device(pir)
    store.upsert_device(Device("p1", "h1", DeviceKind.PENDANT))
    store.upsert_device(Device("x1", "h2", DeviceKind.DOOR, room=Room.ENTRANCE, enabled=False))
    assert store.get_device("m1") == pir
    assert [d.device_id for d in store.list_devices("h1")] == ["m1", "p1"]
    assert len(store.list_devices()) == 3
    disabled = store.get_device("x1")
    assert disabled is not None
    assert disabled.enabled is False
    assert disabled.kind is DeviceKind.DOOR
    assert store.get_device("nope") is None


def _sos(home: str = "h1", ts: int = 1000) -> Detection:
    return Detection(home, "sos", Severity.CRITICAL, ts, "p1", {"button": "pendant", "n": 1})


def test_alarm_with_history_and_evidence_round_trips(store: SqlStateStore) -> None:
    alarm = open_alarm("a1", _sos(), 1000)
    store.save_alarm(alarm)
    assert store.get_alarm("a1") == alarm
    repeat(alarm, Detection("h1", "sos", Severity.CRITICAL, 2000, "p1", {"n": 2}), 2000)
    alarm.state = AlarmState.ACCEPTED
    alarm.history.append(Change(2500, AlarmState.ACCEPTED, "user:family-1", "我来处理"))
    store.save_alarm(alarm)
    store.save_alarm(alarm)  # saving again adds nothing to the history
    got = store.get_alarm("a1")
    assert got == alarm
    assert got is not None
    assert got.count == 2
    assert got.evidence == {"n": 2}
    assert [c.actor for c in got.history] == ["system", "user:family-1"]
    assert store.get_alarm("missing") is None


def test_open_alarm_lookup_and_listing(store: SqlStateStore) -> None:
    old = open_alarm("a1", _sos(ts=1000), 1000)
    old.state = AlarmState.RESOLVED
    store.save_alarm(old)
    assert store.find_open_alarm("h1", "sos") is None
    for state in (AlarmState.RAISED, AlarmState.NOTIFIED, AlarmState.IN_PROGRESS):
        current = open_alarm("a2", _sos(ts=2000), 2000)
        current.state = state
        store.save_alarm(current)
        found = store.find_open_alarm("h1", "sos")
        assert found is not None
        assert found.alarm_id == "a2"
    assert store.find_open_alarm("h1", "fall") is None
    assert store.find_open_alarm("h2", "sos") is None
    store.save_alarm(open_alarm("a3", _sos("h2", 3000), 3000))
    cancelled = open_alarm("a4", _sos("h3", 4000), 4000)
    cancelled.state = AlarmState.CANCELLED
    store.save_alarm(cancelled)
    assert [a.alarm_id for a in store.list_alarms()] == ["a4", "a3", "a2", "a1"]
    assert [a.alarm_id for a in store.list_alarms(open_only=True)] == ["a3", "a2"]
    assert [a.alarm_id for a in store.list_alarms(limit=2)] == ["a4", "a3"]
    assert all(a.history for a in store.list_alarms())


def test_dead_letters_keep_the_raw_payload(store: SqlStateStore) -> None:
    raw = b"\xff\x00not json \xe5\xae\x89"
    letters = [
        DeadLetter(1000 + i, "malformed" if i % 2 else "oversized", f"d{i}", "anju/v1/h/d/x", raw)
        for i in range(250)
    ]
    store.add_dead_letters(letters)
    store.add_dead_letters([])
    newest = store.dead_letters(limit=3)
    assert [d.received_ms for d in newest] == [1249, 1248, 1247]
    assert newest[0].payload == raw
    malformed = store.dead_letters(reason="malformed", limit=1000)
    assert len(malformed) == 125
    assert {d.reason for d in malformed} == {"malformed"}


def test_blobs(store: SqlStateStore) -> None:
    assert store.load_blob("inactivity/h1") is None
    store.save_blob("inactivity/h1", b"\x00\x01")
    store.save_blob("inactivity/h1", b"state-2")
    assert store.load_blob("inactivity/h1") == b"state-2"


def test_reopening_keeps_the_data(store: SqlStateStore) -> None:
    store.upsert_home(Home("h1", "c1"))
    schema = store._homes.schema
    again = SqlStateStore(store.url, schema=schema)  # tables exist: creating them is a no-op
    assert again.get_home("h1") == Home("h1", "c1")
    again.close()


def test_many_threads_share_one_store(store: SqlStateStore) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(15):
                store.save_alarm(open_alarm(f"t{n}-{i}", _sos(f"h{n}", i), i))
                store.add_dead_letters([DeadLetter(i, "malformed", "", "t", b"x")])
                store.find_open_alarm(f"h{n}", "sos")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(store.list_alarms(limit=1000)) == 60
    assert len(store.dead_letters(limit=1000)) == 60
