"""The activity detector on a ManualClock: days pass in milliseconds of test time."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from detectors.activity.config import ActivityConfig
from detectors.activity.detector import ActivityDetector
from detectors.activity.state import Mode
from domain.alarms import Category, Detection, Severity
from domain.clock import ManualClock, now_ms
from domain.decode import Message
from domain.model import Device
from tests.activity.helpers import (
    DAY_MS,
    HOME,
    HOUR_MS,
    MIN_MS,
    MONDAY_MS,
    MemoryBlobs,
    bed,
    cancel,
    door,
    kitchen_reading,
    motion,
    usual_day,
)


class Harness:
    def __init__(self, cfg: ActivityConfig | None = None, store: MemoryBlobs | None = None):
        self.clock = ManualClock(MONDAY_MS / 1000)
        self.store = store or MemoryBlobs()
        self.detector = ActivityDetector(
            self.store, default=cfg or ActivityConfig(), timezone="UTC"
        )
        self.found: list[Detection] = []

    def feed(self, items: Iterable[tuple[Message, Device]]) -> None:
        for message, device in items:
            ts = message.ts or 0
            self.advance_to(ts)
            self.found.extend(self.detector.on_message(message, device, ts))

    def advance_to(self, ts: int, step_ms: int = MIN_MS) -> None:
        while now_ms(self.clock) + step_ms <= ts:
            self.clock.advance(step_ms / 1000)
            self.found.extend(self.detector.tick(now_ms(self.clock)))
        self.clock.set(ts / 1000)

    def alarms(self, since: int = 0) -> list[Detection]:
        return [d for d in self.found if d.severity is Severity.MAJOR and d.ts_ms >= since]

    def types(self, since: int = 0) -> list[str]:
        return [d.type for d in self.found if d.ts_ms >= since]


def learned_home(cfg: ActivityConfig | None = None, days: int = 9) -> Harness:
    h = Harness(cfg)
    for day in range(days):
        h.feed(usual_day(MONDAY_MS + day * DAY_MS))
    return h


def after_a_usual_morning(cfg: ActivityConfig | None = None) -> tuple[Harness, int]:
    """A learned home on day 9 after a usual morning (quiet from ~10:00): the harness and the
    minute after its last event."""
    h = learned_home(cfg)
    h.feed(usual_day(MONDAY_MS + 9 * DAY_MS)[:8])
    return h, now_ms(h.clock) + MIN_MS


@pytest.fixture(scope="module")
def week() -> Harness:
    return learned_home()


def test_a_usual_week_raises_no_care_alarm(week: Harness) -> None:
    assert week.alarms(MONDAY_MS + 7 * DAY_MS) == []
    state = week.detector.state(HOME)
    assert state.thresholds and len(state.wake_hours) >= 7


def test_collapse_in_the_living_room_alarms_after_a_prewarning() -> None:
    h = learned_home()
    day = MONDAY_MS + 9 * DAY_MS
    h.feed(usual_day(day)[:8])  # a normal morning, then silence from ~10:00
    cut = h.detector.state(HOME).last_ms
    h.advance_to(cut + 6 * HOUR_MS)
    kinds = h.types(cut)
    assert kinds[0] == "prewarning"
    alarm = h.alarms(cut)[0]
    assert alarm.type == "inactivity" and alarm.category is Category.CARE
    assert alarm.evidence["learned"] == "true"
    waited = (alarm.ts_ms - cut) / MIN_MS
    assert 45 <= waited <= 120  # learned from 20-minute rhythms, floor 45 min, + prewarning
    assert len(h.alarms(cut)) == 1  # one alarm per silence, not one per rule


def test_cancel_during_the_prewarning_stops_the_alarm() -> None:
    h = learned_home()
    day = MONDAY_MS + 9 * DAY_MS
    h.feed(usual_day(day)[:8])
    cut = h.detector.state(HOME).last_ms
    while "prewarning" not in h.types(cut):
        h.advance_to(now_ms(h.clock) + MIN_MS)
    h.feed([cancel(now_ms(h.clock) + 1000)])
    h.advance_to(now_ms(h.clock) + 10 * MIN_MS)
    assert "prewarning_cancelled" in h.types(cut)
    assert h.alarms(cut) == []


def test_asleep_at_night_is_not_inactivity_but_not_up_is(week: Harness) -> None:
    h = learned_home()
    night = MONDAY_MS + 9 * DAY_MS  # went to bed at 22:30 the day before; nothing since
    h.advance_to(night + 6 * HOUR_MS)
    assert h.alarms(night - 2 * HOUR_MS) == []
    h.advance_to(night + 12 * HOUR_MS)
    alarms = h.alarms(night)
    assert [a.type for a in alarms] == ["not_up"]
    assert 7.5 * HOUR_MS <= alarms[0].ts_ms - night <= 9 * HOUR_MS  # learned 07:xx + margin


def test_too_long_in_the_bathroom() -> None:
    h = learned_home()
    day = MONDAY_MS + 9 * DAY_MS
    h.feed(usual_day(day)[:8])
    h.feed([motion(now_ms(h.clock) + MIN_MS, "bathroom")])
    cut = now_ms(h.clock)
    h.advance_to(cut + 4 * HOUR_MS)
    assert [a.type for a in h.alarms(cut)] == ["bathroom_too_long"]


def test_out_through_the_front_door_is_not_inactivity_but_not_returned_is() -> None:
    h, left = after_a_usual_morning(ActivityConfig(not_returned_floor_s=8 * 3600))
    h.feed([door(left), door(left + 5000, "closed")])
    h.advance_to(left + 7 * HOUR_MS)
    assert h.alarms(left) == []
    h.advance_to(left + 9 * HOUR_MS)
    assert [a.type for a in h.alarms(left)] == ["not_returned"]


def test_leaving_by_the_front_door_at_night() -> None:
    h = learned_home()
    night = MONDAY_MS + 9 * DAY_MS + 2 * HOUR_MS
    h.feed([motion(night, "bedroom"), door(night + MIN_MS), door(night + MIN_MS + 5000, "closed")])
    assert [a.type for a in h.alarms(night)] == ["door_at_night"]


def test_out_of_bed_at_night_and_not_back() -> None:
    h = learned_home(ActivityConfig(gap_floor_s=4 * 3600))
    night = MONDAY_MS + 9 * DAY_MS + 2 * HOUR_MS
    h.feed([bed(night, False)])
    h.advance_to(night + 2 * HOUR_MS)
    assert "out_of_bed_night" in [a.type for a in h.alarms(night)]


def test_away_mode_suspends_and_ends_when_the_resident_is_back() -> None:
    h = learned_home()
    day = MONDAY_MS + 9 * DAY_MS
    h.feed(usual_day(day)[:8])
    start = now_ms(h.clock)
    h.detector.set_mode(HOME, Mode.AWAY, start)
    h.advance_to(start + 30 * HOUR_MS)
    assert h.alarms(start) == []
    back = now_ms(h.clock)
    h.feed([door(back), motion(back + MIN_MS, "kitchen")])
    assert h.detector.state(HOME).mode is Mode.NORMAL
    h.advance_to(back + 6 * HOUR_MS)
    assert [a.type for a in h.alarms(back)] == ["inactivity"]


def test_visitor_mode_ends_by_itself() -> None:
    h = learned_home()
    start = MONDAY_MS + 9 * DAY_MS + 10 * HOUR_MS
    h.advance_to(start)
    h.detector.set_mode(HOME, Mode.VISITOR, start, start + HOUR_MS)
    h.advance_to(start + 2 * HOUR_MS)
    assert h.detector.state(HOME).mode is Mode.NORMAL


def test_kitchen_heat_and_smoke_raise_once_until_cool() -> None:
    h = Harness()
    t = MONDAY_MS + 12 * HOUR_MS
    h.feed(
        [
            kitchen_reading(t, 30),
            kitchen_reading(t + MIN_MS, 75),
            kitchen_reading(t + 2 * MIN_MS, 80),
        ]
    )
    assert [a.type for a in h.alarms()] == ["kitchen_hot"]
    h.feed([kitchen_reading(t + 3 * MIN_MS, 25), kitchen_reading(t + 4 * MIN_MS, 30, smoke=20)])
    assert [a.type for a in h.alarms()] == ["kitchen_hot", "smoke"]


def test_classic_modes_before_any_learning() -> None:
    cfg = ActivityConfig(none_for_s=3 * 3600, window_rule=(9.0, 18.0, 2 * 3600.0), prewarning_s=0)
    h = Harness(cfg)
    t = MONDAY_MS + 9 * HOUR_MS
    h.feed([motion(t, "kitchen")])
    h.advance_to(t + 4 * HOUR_MS)
    assert [a.type for a in h.alarms()] == ["no_activity_window"]  # 2 h inside the window first


def test_state_survives_a_restart_mid_silence() -> None:
    h = learned_home()
    day = MONDAY_MS + 9 * DAY_MS
    h.feed(usual_day(day)[:8])
    cut = h.detector.state(HOME).last_ms
    h.advance_to(cut + 30 * MIN_MS)
    h.detector.flush()
    restarted = ActivityDetector(h.store, timezone="UTC")
    restarted.load([HOME])
    assert restarted.state(HOME).thresholds == h.detector.state(HOME).thresholds
    found: list[Detection] = []
    for minute in range(31, 6 * 60):
        found.extend(restarted.tick(cut + minute * MIN_MS))
    assert [d.type for d in found if d.severity is Severity.MAJOR] == ["inactivity"]


def test_unknown_setting_is_an_error() -> None:
    with pytest.raises(ValueError, match="nap_maximum"):
        ActivityConfig().with_overrides({"nap_maximum": 3})
    assert ActivityConfig().with_overrides({"window_rule": [8, 12, 3600]}).window_rule == (
        8,
        12,
        3600,
    )


def test_coming_home_at_night_is_not_wandering() -> None:
    h = learned_home()
    evening = MONDAY_MS + 9 * DAY_MS + 20 * HOUR_MS
    h.feed(
        [
            motion(evening, "kitchen"),
            door(evening + MIN_MS),
            door(evening + MIN_MS + 3000, "closed"),
        ]
    )
    back = evening + 5 * HOUR_MS  # 01:00
    h.feed([door(back), door(back + 3000, "closed"), motion(back + MIN_MS, "bedroom")])
    assert "door_at_night" not in [a.type for a in h.alarms(evening)]


def test_a_pet_while_out_does_not_bring_her_back() -> None:
    h = learned_home()
    left = MONDAY_MS + 9 * DAY_MS + 10 * HOUR_MS
    h.feed([motion(left - MIN_MS, "kitchen"), door(left), door(left + 3000, "closed")])
    h.advance_to(left + HOUR_MS)
    h.feed([motion(left + HOUR_MS, "kitchen")])  # the cat, once
    assert h.detector.state(HOME).out_since_ms is not None
    h.advance_to(left + 5 * HOUR_MS)
    assert h.alarms(left) == []  # no "inactivity" for an empty house
    for k in range(4):  # one sensor alone, even for 36 min: the cat or the sun on the PIR
        h.feed([motion(left + 5 * HOUR_MS + k * 12 * MIN_MS, "kitchen")])
    assert h.detector.state(HOME).out_since_ms is not None
    h.feed([motion(left + 5 * HOUR_MS + 40 * MIN_MS, "bathroom")])  # a second room: it is her
    assert h.detector.state(HOME).out_since_ms is None


def test_prewarning_becomes_an_announce_command() -> None:
    from detectors.activity.prewarning import announce

    h = learned_home()
    day = MONDAY_MS + 9 * DAY_MS
    h.feed(usual_day(day)[:8])
    h.advance_to(h.detector.state(HOME).last_ms + 4 * HOUR_MS)
    warning = next(d for d in h.found if d.type == "prewarning")
    command = announce(warning, "cmd-1")
    assert command.name == "announce" and command.args["rule"] == "inactivity"
    assert command.args["cancel_by_ms"] == warning.evidence["alarm_ms"]
    assert "按" in str(command.args["text"])
