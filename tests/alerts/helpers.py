"""Building contract messages for tests the way ingest does: through `domain.decode`."""

from __future__ import annotations

import json

from domain.decode import Message, decode
from domain.model import Device, DeviceKind, Room
from domain.topics import topic

NOW_MS = 1_767_225_600_000


def message(home: str, device: str, channel: str, body: dict[str, object]) -> Message:
    decoded = decode(topic(home, device, channel), json.dumps(body).encode(), NOW_MS)  # type: ignore[arg-type]
    assert isinstance(decoded, Message), decoded
    return decoded


def sos(home: str = "h1", device: str = "btn1", seq: int = 1, ts: int = NOW_MS) -> Message:
    return message(home, device, "event", {"v": 1, "seq": seq, "ts": ts, "type": "sos"})


def reading(home: str = "h1", device: str = "pend1", seq: int = 1) -> Message:
    return message(
        home, device, "reading", {"v": 1, "seq": seq, "ts": NOW_MS, "values": {"heart_rate": 70}}
    )


def button(home: str = "h1", device: str = "btn1", room: Room | None = Room.BEDROOM) -> Device:
    return Device(device, home, DeviceKind.SOS_BUTTON, room=room)
