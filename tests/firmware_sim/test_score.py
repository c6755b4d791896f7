"""`anju sim score`: recall, false alarms per home-day, time to alarm, from a real state store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from anju.cli import main
from domain.alarms import Detection, Severity, open_alarm
from firmware_sim.score import AlarmView, score
from firmware_sim.truth import Truth, TruthItem
from stores.state.sql import SqlStateStore

T = 1_767_225_600_000
DAY_MS = 86_400_000


def _truth() -> Truth:
    items = [
        TruthItem("1-sos", "sos", "h1", T + 1000, ["sos"], 60.0, []),
        TruthItem("2-fall", "fall", "h2", T + 50_000, ["fall"], 300.0, ["fall_near_miss"]),
        TruthItem("3-fall", "fall", "h1", T + DAY_MS, ["fall"], 300.0, []),
        TruthItem("4-drop", "dropped_pendant", "h2", T + 2 * DAY_MS, [], 300.0, ["fall_near_miss"]),
        TruthItem("5-bad", "malformed", "h1", T, ["malformed"], 0.0, [], True, 5),
    ]
    return Truth("t", 1, ["h1", "h2"], T, T + 2 * DAY_MS + 3_600_000, None, items)


def _alarms() -> list[AlarmView]:
    return [
        AlarmView("a1", "h1", "sos", T + 1500, T + 1500, False),  # 0.5 s after the press
        AlarmView("a2", "h2", "fall", T + 170_000, T + 170_000, False),  # 120 s
        AlarmView("a3", "h2", "fall_near_miss", T + 2 * DAY_MS + 5000, T + 2 * DAY_MS, False),
        AlarmView("a4", "h1", "inactivity", T + 10 * 3_600_000, T + 10 * 3_600_000, False),
        AlarmView("a5", "h2", "device_offline", T + 5_000_000, T + 5_000_000, True),
        AlarmView("a6", "h9", "sos", T + 1000, T + 1000, False),  # not one of our homes
    ]


def test_recall_false_alarms_and_time_to_alarm() -> None:
    report = score(_truth(), _alarms())
    assert report["incidents_expecting_alarm"] == 3 and report["recall"] == round(2 / 3, 4)
    assert report["per_type"]["sos"]["time_to_alarm_s"]["median"] == 0.5
    assert report["per_type"]["fall"]["detected"] == 1
    assert report["per_type"]["fall"]["missed"] == ["3-fall"]
    assert report["false_alarms"] == 1 and report["false_alarms_by_type"] == {"inactivity": 1}
    assert report["technical_unexplained"] == 1
    assert report["false_alarms_per_home_day"] == pytest.approx(1 / (2 * (2 + 1 / 24)), abs=1e-3)
    assert "malformed" not in report["per_type"]


def test_cli_scores_alarms_from_the_state_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'state.db'}"
    store = SqlStateStore(url)
    for i, a in enumerate(_alarms()):
        severity = Severity.TECHNICAL if a.technical else Severity.CRITICAL
        detection = Detection(a.home_id, a.type, severity, a.raised_ms)
        store.save_alarm(open_alarm(f"alarm-{i}", detection, a.raised_ms))
    store.close()
    truth = tmp_path / "truth.json"
    _truth().save(truth)
    assert main(["sim", "score", "--truth", str(truth), "--state-url", url, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["recall"] == round(2 / 3, 4) and report["false_alarms"] == 1
    assert main(["sim", "score", "--truth", str(truth), "--state-url", url]) == 0
    text = capsys.readouterr().out
    assert "recall 0.6667" in text and "sos" in text
