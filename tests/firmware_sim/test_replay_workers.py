"""`anju sim replay --workers`: homes dealt out to processes live and score as in one process."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from firmware_sim import scenario
from firmware_sim.replay import replay


def test_homes_dealt_to_two_processes_live_and_score_as_in_one(tmp_path: Path) -> None:
    sc = scenario.load("demo")
    start = datetime.fromisoformat("2026-03-03T10:00:00+08:00").timestamp()
    one = replay(sc, 4, 600 / 86400, seed=4, start=start, folder=tmp_path / "one")
    two = replay(sc, 4, 600 / 86400, seed=4, start=start, folder=tmp_path / "two", workers=2)
    assert two["workers"] == 2 and len(two["state_urls"]) == 2
    for key in ("messages", "gate", "per_type", "recall", "false_alarms", "technical_unexplained"):
        assert one.get(key) == two.get(key), key
    assert one["messages"] > 0 and one["per_type"]["sos"]["detected"] >= 1
