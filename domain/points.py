"""What the time-series store keeps: one point per accepted message."""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from domain import contract
from domain.decode import Message

FieldValue = float | int | str | bool


@dataclass(frozen=True, slots=True)
class Point:
    ts_ms: int
    home_id: str
    device_id: str
    seq: int
    measurement: str  # "reading", "status" or "event"
    fields: dict[str, FieldValue]


def to_point(message: Message) -> Point | None:
    """The point a message is stored as; availability (no seq) is state, not a point."""
    body = message.body
    if isinstance(body, contract.Availability):
        return None
    topic = message.topic
    fields: dict[str, FieldValue]
    if isinstance(body, contract.Reading):
        fields = {k: v for k, v in msgspec.structs.asdict(body.values).items() if v is not None}
    elif isinstance(body, contract.Status):
        raw = msgspec.structs.asdict(body)
        fields = {k: v for k, v in raw.items() if v is not None and k not in ("v", "seq", "ts")}
    else:
        raw = msgspec.structs.asdict(body)
        fields = {"type": type(body).__struct_config__.tag}  # type: ignore[dict-item]
        for key, value in raw.items():
            if key in ("v", "seq", "ts"):
                continue
            if isinstance(value, list):
                fields[key] = msgspec.json.encode(value).decode()
            else:
                fields[key] = value
    return Point(body.ts, topic.home_id, topic.device_id, body.seq, topic.channel, fields)
