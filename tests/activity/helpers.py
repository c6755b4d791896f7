"""Build contract messages and a small home for the activity tests."""

from __future__ import annotations

from collections.abc import Mapping

from domain import contract
from domain.decode import Message
from domain.model import Device, DeviceKind, Room
from domain.topics import Topic

HOME = "h1"
DAY_MS = 86_400_000
HOUR_MS = 3_600_000
MIN_MS = 60_000
MONDAY_MS = 1_767_571_200_000  # 2026-01-05T00:00:00Z: replayed as local time (UTC)

DEVICES = {
    "kitchen": Device("pir-kitchen", HOME, DeviceKind.MOTION, "pir", Room.KITCHEN),
    "living": Device("pir-living", HOME, DeviceKind.MOTION, "pir", Room.LIVING_ROOM),
    "bathroom": Device("pir-bath", HOME, DeviceKind.MOTION, "pir", Room.BATHROOM),
    "bedroom": Device("pir-bed", HOME, DeviceKind.MOTION, "pir", Room.BEDROOM),
    "bed": Device("bed", HOME, DeviceKind.BED, "mat", Room.BEDROOM),
    "door": Device("front", HOME, DeviceKind.DOOR, "reed", Room.ENTRANCE),
    "env": Device("env", HOME, DeviceKind.ENVIRONMENT, "env", Room.KITCHEN),
    "pendant": Device("pendant", HOME, DeviceKind.PENDANT, "watch"),
}
_seq = [0]


def msg(body: contract.Reading | contract.Event | contract.Status, device: Device) -> Message:
    channel = {contract.Reading: "reading", contract.Status: "status"}.get(type(body), "event")
    return Message(Topic(device.home_id, device.device_id, channel), body)


def motion(ts: int, where: str = "living") -> tuple[Message, Device]:
    _seq[0] += 1
    device = DEVICES[where]
    return msg(contract.Motion(v=1, seq=_seq[0], ts=ts, state=True), device), device


def door(ts: int, state: str = "open") -> tuple[Message, Device]:
    _seq[0] += 1
    body = contract.Door(v=1, seq=_seq[0], ts=ts, state="open" if state == "open" else "closed")
    return msg(body, DEVICES["door"]), DEVICES["door"]


def bed(ts: int, state: bool) -> tuple[Message, Device]:
    _seq[0] += 1
    return msg(contract.Bed(v=1, seq=_seq[0], ts=ts, state=state), DEVICES["bed"]), DEVICES["bed"]


def cancel(ts: int) -> tuple[Message, Device]:
    _seq[0] += 1
    body = contract.Cancel(v=1, seq=_seq[0], ts=ts)
    return msg(body, DEVICES["pendant"]), DEVICES["pendant"]


def kitchen_reading(ts: int, temperature: float, smoke: float = 0.0) -> tuple[Message, Device]:
    _seq[0] += 1
    values = contract.Values(temperature=temperature, smoke=smoke)
    return msg(contract.Reading(v=1, seq=_seq[0], ts=ts, values=values), DEVICES["env"]), DEVICES[
        "env"
    ]


def usual_day(day_start: int) -> list[tuple[Message, Device]]:
    """Up at 07:00, kitchen, living room every 20 min, bathroom, bed at 22:30."""
    out = [
        bed(day_start + 7 * HOUR_MS, False),
        motion(day_start + 7 * HOUR_MS + MIN_MS, "bathroom"),
    ]
    ts = day_start + 7 * HOUR_MS + 10 * MIN_MS
    while ts < day_start + 22 * HOUR_MS:
        hour = (ts - day_start) // HOUR_MS
        where = (
            "kitchen" if hour in (7, 12, 18) else "bathroom" if hour in (9, 15, 21) else "living"
        )
        out.append(motion(ts, where))
        ts += 20 * MIN_MS
    out.append(motion(day_start + 22 * HOUR_MS + 20 * MIN_MS, "bedroom"))
    out.append(bed(day_start + 22 * HOUR_MS + 30 * MIN_MS, True))
    return out


class MemoryBlobs:
    """The two StateStore methods the detectors use, in memory (unit tests only)."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}

    def load_blob(self, key: str) -> bytes | None:
        return self.blobs.get(key)

    def save_blob(self, key: str, value: bytes) -> None:
        self.blobs[key] = value

    def save_blobs(self, blobs: Mapping[str, bytes]) -> None:
        self.blobs.update(blobs)
