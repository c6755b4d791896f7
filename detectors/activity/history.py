"""Learn from history: replay a home's stored points through the detector before going live.

A new deployment of Anju on homes that already have weeks of readings in the time-series
store need not wait out the learning period: `learn_from_store` rebuilds contract messages from
the stored points (oldest first) and feeds them, with ticks, through the same detector.
"""

from __future__ import annotations

from collections.abc import Iterable

from detectors.activity.detector import ActivityDetector
from domain import contract
from domain.alarms import Detection
from domain.decode import Message
from domain.model import Device
from domain.points import Point
from domain.ports import TimeSeriesStore
from domain.topics import Topic

_EVENTS: dict[str, type[contract.Motion | contract.Door | contract.Bed | contract.SmokeAlarm]] = {
    "motion": contract.Motion,
    "door": contract.Door,
    "bed": contract.Bed,
    "smoke_alarm": contract.SmokeAlarm,
}


def message_of(point: Point) -> Message | None:
    """The message a stored point came from (only what the activity detector reads)."""
    body: contract.Reading | contract.Event
    if point.measurement == "event":
        kind = _EVENTS.get(str(point.fields.get("type")))
        if kind is None or "state" not in point.fields:
            return None
        body = kind(v=1, seq=point.seq, ts=point.ts_ms, state=point.fields["state"])  # type: ignore[arg-type]
    elif point.measurement == "reading":
        temperature, smoke = point.fields.get("temperature"), point.fields.get("smoke")
        if temperature is None and smoke is None:
            return None
        values = contract.Values(
            temperature=None if temperature is None else float(temperature),
            smoke=None if smoke is None else float(smoke),
        )
        body = contract.Reading(v=1, seq=point.seq, ts=point.ts_ms, values=values)
    else:
        return None
    return Message(Topic(point.home_id, point.device_id, point.measurement), body)


def learn_from_store(
    detector: ActivityDetector,
    store: TimeSeriesStore,
    home_id: str,
    devices: Iterable[Device],
    *,
    start_ms: int,
    end_ms: int,
    tick_s: float = 60.0,
) -> list[Detection]:
    """Replay [start, end) of a home; returns what would have been raised (usually ignored)."""
    by_id = {d.device_id: d for d in devices}
    step = int(tick_s * 1000)
    found: list[Detection] = []
    clock = start_ms - start_ms % step
    for point in store.query(home_id, start_ms, end_ms):
        device = by_id.get(point.device_id)
        message = message_of(point)
        if device is None or message is None:
            continue
        while clock + step <= point.ts_ms:
            clock += step
            found.extend(detector.tick(clock))
        found.extend(detector.on_message(message, device, point.ts_ms))
    return found
