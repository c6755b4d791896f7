"""The activity timeline behind the detail panel's chart: buckets per room and sensor kind."""

from __future__ import annotations

from domain.model import Device, DeviceKind, Room
from domain.points import FieldValue, Point
from domain.timeline import bucket_ms_for, timeline

H = 3_600_000
DEVICES = {
    "pir": Device("pir", "h", DeviceKind.MOTION, room=Room.KITCHEN),
    "door": Device("door", "h", DeviceKind.DOOR, room=Room.ENTRANCE),
    "pend": Device("pend", "h", DeviceKind.PENDANT),
}


def ev(ts: int, device: str, kind: str, state: FieldValue) -> Point:
    return Point(ts, "h", device, ts, "event", {"type": kind, "state": state})


def test_bucket_size_keeps_the_chart_readable() -> None:
    assert bucket_ms_for(6 * H) == 5 * 60_000  # 72 buckets
    assert bucket_ms_for(12 * H) == 10 * 60_000
    assert bucket_ms_for(48 * H) == 30 * 60_000
    assert 48 * H / bucket_ms_for(48 * H) <= 96


def test_only_signs_of_life_count_per_room_and_kind() -> None:
    start = 0
    points = [
        ev(1 * 60_000, "pir", "motion", True),
        ev(2 * 60_000, "pir", "motion", False),  # room went quiet: not a sign of life
        ev(7 * 60_000, "pir", "motion", True),
        ev(8 * 60_000, "door", "door", "open"),
        ev(9 * 60_000, "door", "door", "closed"),
        ev(10 * 60_000, "pend", "motion", True),  # a pendant's own motion: shown, not "at home"
        Point(11 * 60_000, "h", "pir", 99, "reading", {"temperature": 21.0}),
        ev(6 * H + 1, "pir", "motion", True),  # outside the window
    ]
    line = timeline(points, DEVICES, start, 6 * H)
    lanes = {(x.room, x.kind): x.counts for x in line.lanes}
    assert lanes[("kitchen", "motion")][:2] == (1, 1) and sum(lanes[("kitchen", "motion")]) == 2
    assert sum(lanes[("entrance", "door")]) == 1 and sum(lanes[("other", "motion")]) == 1
    assert line.last_activity_ms == 8 * 60_000
    assert all(len(x.counts) == 72 for x in line.lanes)
