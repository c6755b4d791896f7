"""Real stores: learn from the SQLite time-series store; survive a restart via SqlStateStore."""

from __future__ import annotations

from pathlib import Path

from detectors.activity.detector import ActivityDetector
from detectors.activity.history import learn_from_store
from detectors.supervision import SupervisionDetector
from domain.alarms import Severity
from domain.points import to_point
from stores.state.sql import SqlStateStore
from stores.timeseries.sqlite import SqliteTimeSeries
from tests.activity.helpers import DAY_MS, DEVICES, HOME, HOUR_MS, MIN_MS, MONDAY_MS, usual_day


def test_learn_from_stored_history_then_restart_mid_silence(tmp_path: Path) -> None:
    series = SqliteTimeSeries(tmp_path / "ts.db")
    state = SqlStateStore(f"sqlite:///{tmp_path / 'state.db'}")
    try:
        points = [to_point(m) for day in range(9) for m, _ in usual_day(MONDAY_MS + day * DAY_MS)]
        series.write([p for p in points if p is not None])
        detector = ActivityDetector(state, timezone="UTC")
        end = MONDAY_MS + 9 * DAY_MS
        learn_from_store(detector, series, HOME, DEVICES.values(), start_ms=MONDAY_MS, end_ms=end)
        learned = detector.state(HOME)
        assert learned.thresholds and len(learned.wake_hours) >= 7
        today = usual_day(end)[:8]  # a usual morning, then silence
        for message, device in today:
            detector.on_message(message, device, message.ts or 0)
        cut = detector.state(HOME).last_ms
        for minute in range(1, 20):
            detector.tick(cut + minute * MIN_MS)
        detector.flush()
        del detector  # the process dies; a new one starts from the state store
        restarted = ActivityDetector(
            SqlStateStore(f"sqlite:///{tmp_path / 'state.db'}"), timezone="UTC"
        )
        restarted.load([HOME])
        assert restarted.state(HOME).thresholds == learned.thresholds
        found = []
        for minute in range(20, 5 * 60):
            found.extend(restarted.tick(cut + minute * MIN_MS))
        major = [d for d in found if d.severity is Severity.MAJOR]
        assert [d.type for d in major] == ["inactivity"]
        assert major[0].ts_ms - cut < 2 * HOUR_MS
    finally:
        series.close()
        state.close()


def test_supervision_state_in_the_sql_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.db'}"
    det = SupervisionDetector(SqlStateStore(url))
    det.watch([DEVICES["door"]], MONDAY_MS)
    found = det.tick(MONDAY_MS + 26 * HOUR_MS)
    assert [d.type for d in found] == ["device_offline"]
    again = SupervisionDetector(SqlStateStore(url))
    assert again.tick(MONDAY_MS + 27 * HOUR_MS) == []  # raised once, remembered
