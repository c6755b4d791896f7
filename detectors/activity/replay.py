"""Replay a recorded event log through the live activity detector, in accelerated time.

A replay directory holds `events.csv` (`timestamp,sensor,value`), `sensors.csv`
(`sensor,room,kind`) and optionally `activities.csv` (ground truth, only for evaluation).
Each row becomes the contract message the sensor would have published; the detector sees
exactly what it sees live, and is ticked every `tick_s` of recorded time.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from detectors.activity.detector import ActivityDetector
from domain import contract
from domain.alarms import Detection
from domain.decode import Message
from domain.model import Device, DeviceKind, Room
from domain.topics import Topic

KINDS = {
    "motion": DeviceKind.MOTION,
    "door": DeviceKind.DOOR,
    "bed": DeviceKind.BED,
    "appliance": DeviceKind.DOOR,  # a reed contact or switch on a cupboard, fridge, flush...
    "environment": DeviceKind.ENVIRONMENT,
}
PULSE_MS = 60_000  # a bed mat OFF this soon after ON is a pressure pulse, not "got up"
_ON = {"on", "open", "1", "true", "present"}


@dataclass(frozen=True, slots=True)
class Row:
    ts_ms: int
    device_id: str
    value: str


@dataclass(frozen=True, slots=True)
class Recording:
    home_id: str
    devices: dict[str, Device]
    rows: list[Row]
    activities: list[tuple[int, int, str]]  # (start_ms, end_ms, label)

    @property
    def start_ms(self) -> int:
        return self.rows[0].ts_ms

    @property
    def end_ms(self) -> int:
        return self.rows[-1].ts_ms


def parse_time(text: str) -> int:
    """ISO 8601; without an offset it is the home's local time, replayed as UTC."""
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def device_id(sensor: str) -> str:
    slug = re.sub(r"[^a-z0-9_-]+", "_", sensor.strip().lower()).strip("_-")
    return (slug or "sensor")[:64]


def load(directory: Path, home_id: str = "replay") -> Recording:
    devices: dict[str, Device] = {}
    with (directory / "sensors.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            room = Room(row["room"].strip()) if row["room"].strip() else None
            kind = KINDS[row["kind"].strip()]
            ident = device_id(row["sensor"])
            devices[ident] = Device(ident, home_id, kind, model=row["kind"].strip(), room=room)
    rows: list[Row] = []
    with (directory / "events.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            ident = device_id(row["sensor"])
            if ident not in devices:
                devices[ident] = Device(ident, home_id, DeviceKind.MOTION, "unknown", Room.OTHER)
            rows.append(Row(parse_time(row["timestamp"]), ident, row["value"].strip()))
    rows.sort(key=lambda r: r.ts_ms)
    activities: list[tuple[int, int, str]] = []
    path = directory / "activities.csv"
    if path.exists():
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                activities.append(
                    (parse_time(row["start"]), parse_time(row["end"]), row["activity"])
                )
    return Recording(home_id, devices, rows, activities)


def messages(recording: Recording) -> Iterator[tuple[int, Message, Device]]:
    """(ts_ms, message, device) for every row that means something to the contract."""
    seq: dict[str, int] = {}
    bed_on: dict[str, int] = {}
    for row in recording.rows:
        device = recording.devices[row.device_id]
        value = row.value.lower()
        on = value in _ON
        number = _number(value)
        n = seq[row.device_id] = seq.get(row.device_id, 0) + 1
        body: contract.Reading | contract.Event | None
        if number is not None and device.kind is DeviceKind.ENVIRONMENT:
            values = contract.Values(temperature=number)
            body = contract.Reading(v=1, seq=n, ts=row.ts_ms, values=values)
        elif device.kind is DeviceKind.MOTION:
            body = contract.Motion(v=1, seq=n, ts=row.ts_ms, state=on)
        elif device.kind is DeviceKind.BED:
            if on:
                bed_on[row.device_id] = row.ts_ms
            elif row.ts_ms - bed_on.get(row.device_id, -PULSE_MS) < PULSE_MS:
                continue
            body = contract.Bed(v=1, seq=n, ts=row.ts_ms, state=on)
        elif device.kind is DeviceKind.DOOR:
            body = contract.Door(v=1, seq=n, ts=row.ts_ms, state="open" if on else "closed")
        else:
            body = None
        if body is not None:
            topic = Topic(
                recording.home_id,
                device.device_id,
                "reading" if isinstance(body, contract.Reading) else "event",
            )
            yield row.ts_ms, Message(topic, body), device


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


Stop = Callable[[int, list[Detection]], bool]


def run(
    detector: ActivityDetector,
    items: list[tuple[int, Message, Device]],
    *,
    tick_s: float = 60.0,
    until_ms: int | None = None,
    on_tick: Callable[[int], None] | None = None,
    on_message: Callable[[int], None] | None = None,
) -> list[Detection]:
    """Feed messages in time order, ticking the detector every `tick_s` of recorded time.

    `on_tick(clock)` runs before each tick and `on_message(ts)` before each message is fed."""
    step = int(tick_s * 1000)
    found: list[Detection] = []
    if not items:
        return found
    clock = items[0][0] - items[0][0] % step
    for ts, message, device in items:
        while clock + step <= ts:
            clock += step
            if on_tick is not None:
                on_tick(clock)
            found.extend(detector.tick(clock))
        if on_message is not None:
            on_message(ts)
        found.extend(detector.on_message(message, device, ts))
    end = until_ms if until_ms is not None else clock
    while clock + step <= end:
        clock += step
        found.extend(detector.tick(clock))
    return found
