"""Offline replay through Anju's real gate, detectors and alarm service, then scored."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from alerts.feed import LocalFeed
from alerts.service import AlarmConflictError
from firmware_sim import scenario
from firmware_sim.operator import OperatorDesk
from firmware_sim.replay import replay
from firmware_sim.replay_store import ReplayStateStore
from stores.state.sql import SqlStateStore


def test_demo_replay_raises_the_sos_and_the_fall(tmp_path: Path) -> None:
    sc = scenario.load("demo")
    start = datetime.fromisoformat("2026-03-03T10:00:00+08:00").timestamp()
    report = replay(sc, 3, 900 / 86400, seed=4, start=start, folder=tmp_path)
    assert report["gate"]["accepted"] == report["messages"]  # the simulator speaks the contract
    sos = report["per_type"]["sos"]
    assert sos["detected"] == sos["expected"] == 1
    assert sos["time_to_alarm_s"]["max"] is not None and sos["time_to_alarm_s"]["max"] < 5
    assert report["per_type"]["accidental_sos"]["detected"] == 1
    assert (tmp_path / "truth.json").exists()


def test_detector_blobs_are_written_behind_in_one_transaction(tmp_path: Path) -> None:
    store = ReplayStateStore(f"sqlite:///{tmp_path / 'state.db'}")
    store.save_blob("a", b"1")
    store.save_blob("a", b"2")
    store.save_blob("b", b"3")
    assert store.load_blob("a") == b"2"  # read back before it reaches SQLite
    assert SqlStateStore(store.url).load_blob("a") is None
    store.flush()
    assert store.blob_writes == 2
    again = SqlStateStore(store.url)
    assert (again.load_blob("a"), again.load_blob("b")) == (b"2", b"3")
    store.close()
    again.close()


def test_the_operator_resolves_what_was_raised_half_an_hour_ago() -> None:
    resolved: list[str] = []

    class Alarms:
        def resolve(self, alarm_id: str, actor: str, outcome: str, note: str = "") -> None:
            if alarm_id == "gone":
                raise AlarmConflictError("closed")
            resolved.append(alarm_id)

    desk = OperatorDesk(LocalFeed())
    for alarm_id, at in (("x", 0), ("gone", 1_000), ("y", 600_000)):
        desk.publish("alarm", {"change": "raised", "alarm": {"id": alarm_id, "raised_ms": at}})
    desk.publish("alarm", {"change": "updated", "alarm": {"id": "x", "raised_ms": 0}})
    assert desk.resolve_due(Alarms(), 1_800_000) == 1 and resolved == ["x"]
    assert desk.resolve_due(Alarms(), 2_400_000) == 1 and resolved == ["x", "y"]
