from __future__ import annotations

import itertools

import pytest
from prometheus_client import REGISTRY

from alerts.feed import LocalFeed
from alerts.service import AlarmConflictError, AlarmNotFoundError, AlarmService
from domain.alarms import Alarm, AlarmState, Detection, Severity
from domain.clock import ManualClock, now_ms
from domain.model import Home, Resident
from tests.alerts.fakes import MemoryStateStore


def make() -> tuple[AlarmService, MemoryStateStore, LocalFeed, ManualClock]:
    store = MemoryStateStore()
    store.upsert_home(Home("h1", "jinghong-01", address="景洪市嘎兰中路 1 号"))
    store.upsert_resident(Resident("r1", "h1", "玉应"))
    feed = LocalFeed()
    clock = ManualClock()
    ids = itertools.count(1)
    return AlarmService(store, feed, clock, new_id=lambda: f"a{next(ids)}"), store, feed, clock


def sos(home: str = "h1", seq: int = 1) -> Detection:
    return Detection(home, "sos", Severity.CRITICAL, 1000 + seq, "btn1", {"seq": seq})


def open_gauge(severity: str) -> float:
    value = REGISTRY.get_sample_value("anju_alarms_open", {"severity": severity})
    return value or 0.0


def test_one_open_alarm_per_home_and_type_repeats_update_it() -> None:
    service, store, feed, clock = make()
    sub = feed.subscribe()
    first = service.on_detection(sos(seq=1))
    clock.advance(30)
    again = service.on_detection(sos(seq=2))
    other_home = service.on_detection(sos(home="h2", seq=3))
    assert again.alarm_id == first.alarm_id == "a1"
    assert other_home.alarm_id == "a2"
    stored = store.get_alarm("a1")
    assert stored is not None
    assert (stored.count, stored.evidence, stored.state) == (2, {"seq": 2}, AlarmState.RAISED)
    assert stored.updated_ms == now_ms(clock)
    changes = [(e.data["change"], e.data["alarm"]["id"]) for e in iter(lambda: sub.get(0.01), None)]
    assert changes == [("raised", "a1"), ("updated", "a1"), ("raised", "a2")]


def test_feed_event_carries_the_home_for_the_board() -> None:
    service, _, feed, _ = make()
    sub = feed.subscribe()
    service.on_detection(sos())
    event = sub.get(1.0)
    assert event is not None
    alarm = event.data["alarm"]
    assert alarm["severity"] == "critical" and alarm["type"] == "sos"
    assert alarm["home"]["address"] == "景洪市嘎兰中路 1 号"
    assert alarm["home"]["residents"] == ["玉应"]
    assert "玉应" in event.json


def test_accept_and_resolve_keep_actor_and_time_and_close_the_alarm() -> None:
    service, store, _, clock = make()
    alarm = service.on_detection(sos())
    clock.advance(42)
    service.accept(alarm.alarm_id, "user:op1", "calling her")
    with pytest.raises(AlarmConflictError, match="already accepted by user:op1"):
        service.accept(alarm.alarm_id, "user:op2")
    clock.advance(600)
    service.resolve(alarm.alarm_id, "user:op1", "helped_at_home", "she slipped, fine")
    stored = store.get_alarm(alarm.alarm_id)
    assert stored is not None and not stored.is_open
    assert [(c.state, c.actor) for c in stored.history] == [
        (AlarmState.RAISED, "system"),
        (AlarmState.ACCEPTED, "user:op1"),
        (AlarmState.RESOLVED, "user:op1"),
    ]
    assert stored.history[1].at_ms - stored.history[0].at_ms == 42_000
    assert stored.history[2].note == "helped_at_home: she slipped, fine"
    with pytest.raises(AlarmConflictError, match="closed"):
        service.resolve(alarm.alarm_id, "user:op1", "visit")
    # a new SOS after the alarm was resolved opens a new one
    assert service.on_detection(sos(seq=9)).alarm_id != alarm.alarm_id


def test_bad_actions() -> None:
    service, _, _, _ = make()
    with pytest.raises(AlarmNotFoundError):
        service.accept("nope", "user:op1")
    alarm = service.on_detection(sos())
    with pytest.raises(ValueError, match="unknown outcome"):
        service.resolve(alarm.alarm_id, "user:op1", "teleported")


def test_open_alarm_gauge_follows_the_store_across_restarts() -> None:
    service, store, feed, clock = make()
    service.on_detection(sos())
    service.on_detection(sos(home="h2"))
    service.on_detection(Detection("h1", "inactivity", Severity.MAJOR, 5))
    assert open_gauge("critical") == 2 and open_gauge("major") == 1
    service.resolve("a1", "user:x", "false_alarm")
    assert service.open_counts()["critical"] == 1
    assert open_gauge("critical") == 1
    restarted = AlarmService(store, feed, clock)
    assert restarted.open_counts() == {"critical": 1, "major": 1, "minor": 0, "technical": 0}


def test_a_state_store_outage_keeps_the_detection_until_it_can_be_saved() -> None:
    service, store, feed, _ = make()
    sub = feed.subscribe()
    real_save = store.save_alarm
    down = True

    def save(alarm: Alarm) -> None:
        if down:
            raise OSError("database is down")
        real_save(alarm)

    store.save_alarm = save  # type: ignore[method-assign]
    service.handle([sos(seq=1)])  # must not raise: ingest's worker calls this
    service.handle([])  # the registry's tick: still down
    assert store.alarms == {} and service.pending == 1
    assert sub.get(0.01) is None  # nothing on the board that is not stored
    down = False
    service.handle([sos(home="h2", seq=2)])  # the waiting one goes first
    assert service.pending == 0
    raised = [e.data["alarm"]["home_id"] for e in iter(lambda: sub.get(0.01), None)]
    assert raised == ["h1", "h2"]
    assert {a.home_id for a in store.alarms.values()} == {"h1", "h2"}


def test_the_retry_backlog_is_bounded() -> None:
    store = MemoryStateStore()
    service = AlarmService(store, LocalFeed(), ManualClock(), pending_max=3)

    def boom(alarm: Alarm) -> None:
        raise OSError("down")

    store.save_alarm = boom  # type: ignore[method-assign]
    service.handle([sos(seq=i) for i in range(5)])
    assert service.pending == 3
