"""Out or in: what the front door and the sensors inside say while she comes and goes."""

from __future__ import annotations

from detectors.activity.config import ActivityConfig
from domain import contract
from domain.decode import Message
from domain.model import Device, DeviceKind, Room
from tests.activity.helpers import (
    DAY_MS,
    HOME,
    HOUR_MS,
    MIN_MS,
    MONDAY_MS,
    door,
    motion,
    msg,
    usual_day,
)
from tests.activity.test_activity_rules import Harness, after_a_usual_morning, learned_home


def test_sensors_firing_hours_apart_while_she_is_out_do_not_bring_her_back() -> None:
    # house B, away for a day and a half: the kitchen PIR at 21:06, the bathroom PIR at 21:47
    # and 22:32 (each trigger a few messages). Two rooms, but nobody moving about.
    h = learned_home(ActivityConfig(not_returned_floor_s=30 * 3600))
    left = MONDAY_MS + 9 * DAY_MS + 6 * HOUR_MS
    h.feed([motion(left - MIN_MS, "kitchen"), door(left), door(left + 5000, "closed")])
    for start, where in ((15 * HOUR_MS, "kitchen"), (15 * HOUR_MS + 41 * MIN_MS, "bathroom")):
        h.feed([motion(left + start + k * 1000, where) for k in range(3)])
    h.feed([motion(left + 16 * HOUR_MS + 26 * MIN_MS, "bathroom")])
    assert h.detector.state(HOME).out_since_ms is not None
    h.advance_to(left + 20 * HOUR_MS)
    assert h.alarms(left) == []  # no bathroom_too_long, no inactivity: the house is empty


def test_back_without_the_door_sensor_moving_about_in_two_rooms_is_her() -> None:
    h = learned_home(ActivityConfig(not_returned_floor_s=30 * 3600))
    left = MONDAY_MS + 9 * DAY_MS + 6 * HOUR_MS
    h.feed([motion(left - MIN_MS, "kitchen"), door(left), door(left + 5000, "closed")])
    back = left + 4 * HOUR_MS  # the door contact missed her return
    h.feed([motion(back, "kitchen"), motion(back + 4 * MIN_MS, "kitchen")])
    assert h.detector.state(HOME).out_since_ms is not None  # one room: could be the cat
    h.feed([motion(back + 9 * MIN_MS, "bathroom")])
    assert h.detector.state(HOME).out_since_ms is None
    h.advance_to(back + 8 * HOUR_MS)
    assert "bathroom_too_long" in [a.type for a in h.alarms(back)]  # watched again


def test_came_in_and_straight_out_again_is_out() -> None:
    # house B 19:18 / 19:19: the door opens and shuts, 50 s later opens and shuts again, and
    # nothing inside in between: she came home and left again, she is not home and silent
    h, left = after_a_usual_morning(ActivityConfig(not_returned_floor_s=16 * 3600))
    h.feed([door(left), door(left + 5000, "closed")])
    back = left + 3 * HOUR_MS
    h.feed(
        [door(back), door(back + 3000, "closed"), door(back + 4000), door(back + 5000, "closed")]
    )
    again = back + 58_000
    h.feed([door(again), door(again + 9000, "closed")])
    h.advance_to(again + 6 * HOUR_MS)
    assert h.alarms(back) == []
    assert h.detector.state(HOME).out_since_ms is not None


def test_a_door_that_bounces_or_stays_open_on_the_way_in_is_one_passage() -> None:
    h, left = after_a_usual_morning(ActivityConfig(not_returned_floor_s=16 * 3600))
    h.feed([door(left), door(left + 5000, "closed")])
    back = left + 3 * HOUR_MS
    # open, shut, open (a bounce), then held open 50 s with the shopping, then shut
    h.feed(
        [door(back), door(back + 2000, "closed"), door(back + 3000), door(back + 53_000, "closed")]
    )
    h.advance_to(back + 6 * HOUR_MS)
    assert [a.type for a in h.alarms(back)][:1] == ["inactivity"]  # home, then silent


def test_a_room_sensor_seconds_after_she_shut_the_door_behind_her_is_the_door_area() -> None:
    # house B 07-30 13:12: door open, door shut, the kitchen PIR (it sees the hall) 1 s and
    # 4 s later, then nothing for four hours: she left, she is not home and silent
    h, left = after_a_usual_morning(ActivityConfig(not_returned_floor_s=8 * 3600))
    h.feed([motion(left - 20_000, "kitchen"), door(left), door(left + 5000, "closed")])
    h.feed([motion(left + 6000, "kitchen"), motion(left + 9000, "kitchen")])
    h.advance_to(left + 7 * HOUR_MS)
    assert h.alarms(left) == []
    assert h.detector.state(HOME).out_since_ms is not None
    h.advance_to(left + 9 * HOUR_MS)
    assert [a.type for a in h.alarms(left)] == ["not_returned"]


def test_a_room_reached_after_the_door_is_her_staying_in() -> None:
    # house A 03-10 06:21: the front door opened and shut, the bedroom door 10 s later, then
    # she slept: walking to a room takes longer than the door area's glimpse
    h, at = after_a_usual_morning(ActivityConfig(not_returned_floor_s=16 * 3600))
    h.feed([door(at), door(at + 5000, "closed"), motion(at + 15_000, "kitchen")])
    h.advance_to(at + 6 * HOUR_MS)
    assert h.detector.state(HOME).out_since_ms is None
    assert [a.type for a in h.alarms(at)][:1] == ["inactivity"]


COUCH = Device("couch-mat", HOME, DeviceKind.BED, "mat", Room.LIVING_ROOM)


def couch(ts: int) -> tuple[Message, Device]:
    return msg(contract.Bed(v=1, seq=ts // 1000, ts=ts, state=True), COUCH), COUCH


def _outing_with_a_lone_couch_pulse(h: Harness, day_start: int) -> None:
    left = day_start + 10 * HOUR_MS
    h.feed([motion(left - MIN_MS, "living"), door(left), door(left + 5000, "closed")])
    h.feed([couch(left + 2 * HOUR_MS)])  # alone, hours after she left: not her
    back = left + 4 * HOUR_MS
    h.feed([door(back), door(back + 5000, "closed"), motion(back + MIN_MS, "kitchen")])


def _leaves_and_the_couch_pulses(earlier_outings: int) -> tuple[Harness, int]:
    """After `earlier_outings` outings with a lone couch pulse, she leaves at 10:00 and the
    couch pulses 3 min later. The harness and the moment she left."""
    h = learned_home(ActivityConfig(not_returned_floor_s=16 * 3600))
    for day in range(9, 9 + earlier_outings):
        h.feed(usual_day(MONDAY_MS + day * DAY_MS)[:8])
        _outing_with_a_lone_couch_pulse(h, MONDAY_MS + day * DAY_MS)
    today = MONDAY_MS + (9 + earlier_outings) * DAY_MS
    h.feed(usual_day(today)[:8])
    left = today + 10 * HOUR_MS
    h.feed([motion(left - MIN_MS, "living"), door(left), door(left + 5000, "closed")])
    h.feed([couch(left + 3 * MIN_MS)])
    return h, left


def test_a_sensor_heard_alone_on_earlier_outings_does_not_keep_her_in() -> None:
    """House C's couch mat pulses by itself while she is out. On the day it pulses three
    minutes after she left, that is not her sitting down again: she is out, and the silence
    is not hers to alarm on (nor to learn). A sensor never heard while she was out still
    keeps her in (the test above)."""
    h, left = _leaves_and_the_couch_pulses(2)
    h.advance_to(left + 8 * HOUR_MS)
    assert h.detector.state(HOME).out_since_ms is not None
    assert h.alarms(left) == []


def test_a_sensor_heard_alone_on_one_outing_only_still_keeps_her_in() -> None:
    h, left = _leaves_and_the_couch_pulses(1)
    h.advance_to(left + 30 * MIN_MS)
    assert h.detector.state(HOME).out_since_ms is None
