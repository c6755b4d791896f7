"""The learned rules arm the moment the learning period ends, not at the midnight after."""

from __future__ import annotations

from detectors.activity.config import ActivityConfig
from detectors.activity.detector import ActivityDetector
from domain.alarms import Detection
from tests.activity.helpers import DAY_MS, HOUR_MS, MIN_MS, MONDAY_MS, usual_day


def _first_warning_after_silence(learning_days: float, silence_from_ms: int) -> Detection:
    """Usual days from Monday 07:00, then nothing after `silence_from_ms`; the first
    pre-warning in the 12 hours after it (ticks every minute)."""
    detector = ActivityDetector(default=ActivityConfig(learning_days=learning_days), timezone="UTC")
    items = [m for d in range(6) for m in usual_day(MONDAY_MS + d * DAY_MS)]
    items = [m for m in items if (m[0].ts or 0) < silence_from_ms]
    clock = items[0][0].ts or 0
    for message, device in items:
        ts = message.ts or 0
        while clock + MIN_MS <= ts:
            clock += MIN_MS
            detector.tick(clock)
        detector.on_message(message, device, ts)
    last = items[-1][0].ts or 0
    for minute in range(1, 12 * 60):
        for found in detector.tick(last + minute * MIN_MS):
            if found.type == "prewarning":
                return found
    raise AssertionError("no pre-warning within 12 h of the silence")


def test_learned_limit_applies_from_the_end_of_learning_not_the_next_midnight() -> None:
    """Learning from Monday 07:00 for 3.5 days ends Thursday 19:00. She falls silent in the
    living room at 19:30 that evening: the limit learned from her 3.5 days (her longest usual
    silence is 20 min) warns within the hour, not the 6 h ceiling of an unlearned home, nor
    at midnight when the old code first learned."""
    thursday = MONDAY_MS + 3 * DAY_MS
    silent_from = thursday + 19 * HOUR_MS + 35 * MIN_MS
    warning = _first_warning_after_silence(3.5, silent_from)
    waited_min = (warning.ts_ms - (silent_from - 5 * MIN_MS)) / MIN_MS
    assert waited_min <= 60, f"warned {waited_min:.0f} min after her last sign of life"
    assert warning.ts_ms < thursday + 24 * HOUR_MS  # before the midnight relearning
    assert warning.evidence["rule"] == "inactivity"


def test_before_the_end_of_learning_only_the_ceiling() -> None:
    """The same silence a day earlier, still learning: only the unlearned ceiling (6 h)."""
    wednesday = MONDAY_MS + 2 * DAY_MS
    silent_from = wednesday + 19 * HOUR_MS + 35 * MIN_MS
    warning = _first_warning_after_silence(3.5, silent_from)
    waited_h = (warning.ts_ms - (silent_from - 5 * MIN_MS)) / HOUR_MS
    assert waited_h >= 5.5, f"warned after {waited_h:.1f} h while still learning"
