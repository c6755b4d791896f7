"""Offline replay through Anju's real gate, detectors and alarm service, then scored."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from firmware_sim import scenario
from firmware_sim.replay import replay


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
