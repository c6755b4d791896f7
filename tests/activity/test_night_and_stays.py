"""Rules the simulated month found wanting: evening naps, stuck in the bathroom, night outings."""

from __future__ import annotations

from detectors.activity.config import ActivityConfig
from domain import contract
from domain.clock import now_ms
from domain.decode import Message
from domain.model import Device, DeviceKind, Room
from tests.activity.helpers import (
    DAY_MS,
    HOME,
    HOUR_MS,
    MIN_MS,
    MONDAY_MS,
    bed,
    door,
    motion,
    msg,
    usual_day,
)
from tests.activity.test_activity_rules import after_a_usual_morning, learned_home

HALL = Device("pir-hall", HOME, DeviceKind.MOTION, "pir", Room.ENTRANCE)


def hall(ts: int) -> tuple[Message, Device]:
    return msg(contract.Motion(v=1, seq=ts // 1000 % 1_000_000, ts=ts, state=True), HALL), HALL


def test_in_bed_before_the_night_window_is_sleep_not_a_long_nap() -> None:
    h = learned_home()
    evening = MONDAY_MS + 9 * DAY_MS + 19 * HOUR_MS + 30 * MIN_MS  # to bed at 19:30
    h.feed([motion(evening, "bedroom"), bed(evening + MIN_MS, True)])
    h.advance_to(evening + 11 * HOUR_MS)  # 06:30: the 4 h nap limit would have fired at 23:30
    assert h.alarms(evening) == []


def test_stuck_in_the_bathroom_while_still_moving_raises_once() -> None:
    h = learned_home()
    night = MONDAY_MS + 9 * DAY_MS + 2 * HOUR_MS + 30 * MIN_MS
    h.feed([bed(night, False), motion(night + MIN_MS, "bathroom")])
    for k in range(1, 12):  # a small movement every 15 min for three hours
        h.feed([motion(night + MIN_MS + k * 15 * MIN_MS, "bathroom")])
    h.advance_to(night + 3 * HOUR_MS)
    alarms = h.alarms(night)
    assert [a.type for a in alarms] == ["bathroom_too_long"]
    assert alarms[0].ts_ms - night <= 2 * HOUR_MS + 5 * MIN_MS  # the ceiling, plus the warning


def test_hall_motion_just_after_the_front_door_is_her_on_the_way_out() -> None:
    h = learned_home(ActivityConfig(not_returned_floor_s=8 * 3600))
    left = MONDAY_MS + 9 * DAY_MS + 10 * HOUR_MS
    h.feed([hall(left), door(left + 20_000), door(left + 28_000, "closed"), hall(left + 31_000)])
    h.advance_to(left + 7 * HOUR_MS)
    assert h.alarms(left) == []  # out, not inactive
    h.advance_to(left + 12 * HOUR_MS)
    assert [a.type for a in h.alarms(left)] == ["not_returned"]  # once per outing


def test_out_at_an_unusual_hour_of_the_night_and_not_back() -> None:
    cfg = ActivityConfig(door_night_start_h=0.0, door_night_end_h=0.0)  # no door_at_night
    h = learned_home(cfg)
    left = MONDAY_MS + 9 * DAY_MS - 30 * MIN_MS  # 23:30, up again after bed at 22:30
    h.feed([motion(left, "living"), door(left + MIN_MS), door(left + MIN_MS + 5000, "closed")])
    h.advance_to(left + 50 * MIN_MS)
    assert h.alarms(left) == []
    h.advance_to(left + 2 * HOUR_MS)
    found = h.alarms(left)
    assert [a.type for a in found] == ["not_returned"]
    assert found[0].evidence["limit_h"] == 1.0
    assert now_ms(h.clock) - found[0].ts_ms >= 50 * MIN_MS


def test_out_early_in_the_morning_is_an_early_start_not_a_night_outing() -> None:
    """Leaving at 05:30 (after the wandering window, before the night ends) keeps the usual
    outing limit: house B went out at 05:47 for a day and a half."""
    h = learned_home(ActivityConfig(not_returned_floor_s=8 * 3600))
    left = MONDAY_MS + 9 * DAY_MS + 5 * HOUR_MS + 30 * MIN_MS
    h.feed([bed(left - 10 * MIN_MS, False), motion(left - 5 * MIN_MS, "bathroom")])
    h.feed([motion(left - MIN_MS, "living"), door(left), door(left + 5000, "closed")])
    h.advance_to(left + 4 * HOUR_MS)
    assert h.alarms(left) == []
    h.advance_to(left + 9 * HOUR_MS)
    assert [a.type for a in h.alarms(left)] == ["not_returned"]


def test_judged_days_are_a_window_of_the_recording() -> None:
    from detectors.activity.evaluate import Replay, false_alarms, window
    from detectors.activity.replay import Recording, Row
    from domain.alarms import Detection, Severity

    rows = [Row(MONDAY_MS, "s", "ON"), Row(MONDAY_MS + 20 * DAY_MS, "s", "ON")]
    rec = Recording(HOME, {}, rows, [])
    assert window(rec, 7, None) == (MONDAY_MS + 7 * DAY_MS, MONDAY_MS + 20 * DAY_MS)
    assert window(rec, 7, 14) == (MONDAY_MS + 7 * DAY_MS, MONDAY_MS + 14 * DAY_MS)
    found = [
        Detection(HOME, "inactivity", Severity.MAJOR, MONDAY_MS + day * DAY_MS)
        for day in (3, 10, 16)
    ]
    early = false_alarms(found, Replay(rec, []), 7, 14)
    late = false_alarms(found, Replay(rec, []), 14)
    assert (early["false_care_alarms"], early["evaluated_days"]) == (1, 7.0)
    assert (late["false_care_alarms"], late["before_judged_days"]) == (1, 2)


def test_a_flush_heard_after_the_bedroom_door_does_not_put_her_back_in_the_bathroom() -> None:
    h = learned_home()
    night = MONDAY_MS + 9 * DAY_MS - 30 * MIN_MS  # 23:30
    h.feed([motion(night, "bathroom"), motion(night + 60_000, "bedroom")])
    h.feed([motion(night + 90_000, "bathroom")])  # the same movement, reported late
    assert h.detector.state(HOME).last_room == "bedroom"
    h.advance_to(night + 5 * HOUR_MS)
    assert "bathroom_too_long" not in [a.type for a in h.alarms(night)]


def test_a_room_sensor_between_two_door_events_of_one_passage_does_not_keep_her_in() -> None:
    # house B: the kitchen PIR sees the hall, so leaving reads door, kitchen, door, then nothing
    h, left = after_a_usual_morning(ActivityConfig(not_returned_floor_s=8 * 3600))
    h.feed([door(left), motion(left + 4000, "kitchen"), door(left + 9000, "closed")])
    h.advance_to(left + 7 * HOUR_MS)
    assert h.alarms(left) == []  # out: no inactivity alarm while she is away
    h.advance_to(left + 9 * HOUR_MS)
    assert [a.type for a in h.alarms(left)] == ["not_returned"]


def test_a_passage_that_began_with_her_coming_home_stays_a_return() -> None:
    h, left = after_a_usual_morning(ActivityConfig(not_returned_floor_s=8 * 3600))
    h.feed([door(left), door(left + 5000, "closed")])
    back = left + 2 * HOUR_MS
    h.feed([door(back), motion(back + 4000, "kitchen"), door(back + 9000, "closed")])
    h.advance_to(back + 6 * HOUR_MS)
    assert [a.type for a in h.alarms(back)][:1] == ["inactivity"]  # home, then silent


def test_judged_days_stay_inside_the_labelled_span() -> None:
    from detectors.activity.evaluate import window
    from detectors.activity.replay import Recording, Row

    rows = [Row(MONDAY_MS, "s", "ON"), Row(MONDAY_MS + 27 * DAY_MS, "s", "ON")]
    labels = [(MONDAY_MS + 3 * DAY_MS, MONDAY_MS + 17 * DAY_MS, "leave-house")]
    rec = Recording(HOME, {}, rows, labels)
    assert window(rec, 7, None) == (MONDAY_MS + 7 * DAY_MS, MONDAY_MS + 17 * DAY_MS)
    assert window(rec, 1, 5) == (MONDAY_MS + 3 * DAY_MS, MONDAY_MS + 5 * DAY_MS)


def test_a_collapse_cut_sees_no_event_after_the_cut() -> None:
    from detectors.activity.evaluate import Replay, collapse
    from detectors.activity.replay import Recording, Row

    # a busy week, then at the cut she is in the bathroom; 20 s later the real recording has
    # her leave by the front door. The cut must not see that: she lies in the bathroom.
    def stamped(pairs: list[tuple[Message, Device]]) -> list[tuple[int, Message, Device]]:
        return [
            (m.body.ts, m, d) for m, d in pairs if not isinstance(m.body, contract.Availability)
        ]

    items: list[tuple[int, Message, Device]] = []
    for d in range(9):
        items += stamped(usual_day(MONDAY_MS + d * DAY_MS))
    items += stamped(usual_day(MONDAY_MS + 9 * DAY_MS)[:8])
    in_bath = items[-1][0] + 5 * MIN_MS
    m, dev = motion(in_bath, "bathroom")
    items.append((in_bath, m, dev))
    for offset, state in ((30_000, "open"), (35_000, "closed")):
        m, dev = door(in_bath + offset, state)
        items.append((in_bath + offset, m, dev))
    rows = [Row(items[0][0], "s", "ON"), Row(items[-1][0], "s", "ON")]
    replay = Replay(Recording(HOME, {}, rows, []), sorted(items, key=lambda i: i[0]))
    result = collapse(replay, [in_bath + 10_000], ActivityConfig(prewarning_s=0), 60.0)
    assert result["cuts"] == 1
    assert result["bound_median_min"] == 0.3  # the real recording moved 20 s after the cut
    assert result["no_alarm_within_12h"] == 0  # seen leaving, she would be "out" for 16 h
    assert float(str(result["median_min"])) <= 125
