"""Per-home state of the activity detectors: everything a restart must not forget.

Times are absolute (ms since the epoch), so a timer survives a restart by construction: the
restored state simply resumes being checked. The state serialises with msgspec; the learned
silence histogram and the per-sensor silences travel beside it as raw bytes.
"""

from __future__ import annotations

from enum import StrEnum

import msgspec


class Mode(StrEnum):
    NORMAL = "normal"
    AWAY = "away"  # resident away (holiday, hospital): care rules suspended
    VISITOR = "visitor"  # someone else is home: no learning, no door rules


class DayStats(msgspec.Struct):
    """What one local day looked like; the routine score compares days."""

    day: int = -1  # local date ordinal
    events: int = 0
    kitchen: int = 0
    bathroom_visits: int = 0
    outings: int = 0
    rest_s: float = 0.0
    first_ms: int | None = None  # first sign of life that day
    fired: list[str] = msgspec.field(default_factory=list)  # once-a-day rules already raised


class Prewarning(msgspec.Struct):
    rule: str  # the alarm type it would become
    started_ms: int
    alarm_ms: int
    evidence: dict[str, float | str] = msgspec.field(default_factory=dict)


class HomeState(msgspec.Struct):
    home_id: str
    first_ms: int = 0  # first message ever seen (learning period)
    last_ms: int = 0  # last sign of life inside the home
    last_room: str | None = None
    last_sensor: str | None = None  # the sensor of the last sign of life
    leave_ms: int | None = None  # last door event of a leaving passage, while nothing followed
    front_door_ms: int = 0  # last front door event (events within 2 min are one passage)
    passage_leaving: bool = False  # the passage began with her inside: she is going out
    passage_doors: int = 0  # front door events in the passage (odd: the door is open)
    out_since_ms: int | None = None  # left through the front door, house quiet since
    out_at_night: bool = False  # the current outing began at an unusual hour of the night
    bath_since_ms: int | None = None  # in the bathroom since (first of its run of events)
    bath_told: bool = False  # this stay already raised `bathroom_too_long`
    bath_left_ms: int = 0  # the last stay ended (first event of another room)
    in_bed: bool = False  # last sign of life was a bed sensor (or an occupied bed)
    rest_since_ms: int | None = None  # resting (in bed / bedroom at night) since
    rest_at_night: bool = False
    rest_counted_ms: int = 0  # rest before this instant is already counted in a finished day
    bed_left_ms: int | None = None  # left the bed at night (explicit Bed false)
    has_bed_sensor: bool = False
    has_kitchen: bool = False
    mode: Mode = Mode.NORMAL
    mode_until_ms: int = 0
    mode_since_ms: int = 0
    prewarning: Prewarning | None = None
    latched: list[str] = msgspec.field(default_factory=list)  # raised for the current silence
    kitchen_hot: bool = False
    ghost_since_ms: int = 0  # the outing the ghost bursts below belong to (its start)
    ghost_times: list[int] = msgspec.field(default_factory=list)  # signs of life while out
    ghost_rooms: list[str] = msgspec.field(default_factory=list)  # ... (last event of a burst)
    # sensor -> [outings it was heard alone on, start of the last of them]
    ghost_sensors: dict[str, list[int]] = msgspec.field(default_factory=dict)
    today: DayStats = msgspec.field(default_factory=DayStats)
    history: list[list[float]] = msgspec.field(default_factory=list)  # daily feature vectors
    wake_hours: list[float] = msgspec.field(default_factory=list)
    outings_s: list[float] = msgspec.field(default_factory=list)
    bath_stays_s: list[float] = msgspec.field(default_factory=list)  # by day
    bath_night_stays_s: list[float] = msgspec.field(default_factory=list)
    door_hour_days: list[int] = msgspec.field(default_factory=lambda: [0] * 24)
    door_hours_today: list[int] = msgspec.field(default_factory=list)
    thresholds: list[float] = msgspec.field(default_factory=list)  # (room, hour) flattened
    sensor_names: list[str] = msgspec.field(default_factory=list)  # rows of the sensor silences
    sensor_limit_s: list[float] = msgspec.field(default_factory=list)  # learned, per sensor row
    sensor_count: list[int] = msgspec.field(default_factory=list)  # long silences behind it
    next_due_ms: int = 0
    gap_hist: bytes = b""
    sensor_gaps: bytes = b""


_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(HomeState)


def encode(state: HomeState) -> bytes:
    return _ENCODER.encode(state)


def decode(raw: bytes) -> HomeState:
    return _DECODER.decode(raw)
