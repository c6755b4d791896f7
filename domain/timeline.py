"""The last hours of a home, room by room: sensor events counted in time buckets.

A motion sensor's "movement", a door opening and a bed mat's "in bed" are signs of life; the
chart shows, per room and sensor kind, how many there were in each bucket.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from domain.model import Device, DeviceKind
from domain.points import Point

ACTIVE_EVENTS = {"motion": True, "door": "open", "bed": True}
MAX_BUCKETS = 96


@dataclass(frozen=True, slots=True)
class Lane:
    room: str
    kind: str  # motion, door, bed
    counts: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Timeline:
    start_ms: int
    end_ms: int
    bucket_ms: int
    lanes: tuple[Lane, ...]
    last_activity_ms: int | None


def bucket_ms_for(span_ms: int, max_buckets: int = MAX_BUCKETS) -> int:
    """The smallest of 5/10/15/30/60/120/240 minutes that keeps the chart within max_buckets."""
    for minutes in (5, 10, 15, 30, 60, 120, 240, 480, 1440):
        if span_ms / (minutes * 60_000) <= max_buckets:
            return minutes * 60_000
    return span_ms // max_buckets + 1


def is_active(point: Point) -> bool:
    kind = point.fields.get("type")
    if point.measurement != "event" or not isinstance(kind, str) or kind not in ACTIVE_EVENTS:
        return False
    return point.fields.get("state") == ACTIVE_EVENTS[kind]


def timeline(
    points: Iterable[Point], devices: Mapping[str, Device], start_ms: int, end_ms: int
) -> Timeline:
    bucket = bucket_ms_for(end_ms - start_ms)
    n = max(1, -(-(end_ms - start_ms) // bucket))
    lanes: dict[tuple[str, str], list[int]] = {}
    last: int | None = None
    for point in points:
        if not start_ms <= point.ts_ms < end_ms or not is_active(point):
            continue
        device = devices.get(point.device_id)
        room = device.room.value if device is not None and device.room is not None else "other"
        kind = str(point.fields["type"])
        counts = lanes.setdefault((room, kind), [0] * n)
        counts[(point.ts_ms - start_ms) // bucket] += 1
        if device is None or device.kind is not DeviceKind.PENDANT:
            last = point.ts_ms if last is None else max(last, point.ts_ms)
    ordered = sorted(lanes.items())
    return Timeline(
        start_ms, end_ms, bucket, tuple(Lane(r, k, tuple(c)) for (r, k), c in ordered), last
    )
