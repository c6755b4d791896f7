"""Decode and validate one raw MQTT message against the device contract (pure, no I/O)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import msgspec

from domain import contract
from domain.rejects import Reason, Rejected
from domain.topics import Topic, parse_topic

MAX_FUTURE_MS = 5 * 60 * 1000  # device clocks drift; beyond five minutes ahead is wrong
MAX_PAST_MS = 7 * 24 * 3600 * 1000  # a gateway may replay a long outage, but not older than a week

_DECODERS: dict[str, msgspec.json.Decoder] = {  # type: ignore[type-arg]
    "reading": msgspec.json.Decoder(contract.Reading),
    "event": msgspec.json.Decoder(contract.Event),
    "status": msgspec.json.Decoder(contract.Status),
    "availability": msgspec.json.Decoder(contract.Availability),
}


class _VersionOnly(msgspec.Struct):
    v: object = None


_VERSION = msgspec.json.Decoder(_VersionOnly)
_NON_FINITE = re.compile(rb"(?<![A-Za-z\"])-?(NaN|Infinity|inf|nan)(?![A-Za-z\"])")
_RANGE = re.compile(r"[<>]=?\s*-?\d|length")

Body = contract.Reading | contract.Event | contract.Status | contract.Availability


@dataclass(frozen=True, slots=True)
class Message:
    """A message that passed the contract: where it came from and what it says."""

    topic: Topic
    body: Body

    @property
    def seq(self) -> int | None:
        return None if isinstance(self.body, contract.Availability) else self.body.seq

    @property
    def ts(self) -> int | None:
        return None if isinstance(self.body, contract.Availability) else self.body.ts


def decode(topic_name: str, payload: bytes, now_ms: int) -> Message | Rejected:
    if len(payload) > contract.MAX_PAYLOAD_BYTES:
        return Rejected(Reason.OVERSIZED, f"{len(payload)} bytes > {contract.MAX_PAYLOAD_BYTES}")
    topic = parse_topic(topic_name)
    if topic is None:
        return Rejected(Reason.BAD_TOPIC, f"not a contract topic: {topic_name[:200]!r}")
    body = decode_body(topic.channel, payload, now_ms)
    if isinstance(body, Rejected):
        return body
    return Message(topic, body)


def decode_body(channel: str, payload: bytes, now_ms: int) -> Body | Rejected:
    """The contract's JSON payload of one uplink channel (device models without a decoder)."""
    try:
        body: Body = _DECODERS[channel].decode(payload)
    except msgspec.ValidationError as exc:
        return _classify_invalid(payload, str(exc))
    except msgspec.DecodeError as exc:
        if _NON_FINITE.search(payload):
            return Rejected(
                Reason.NON_FINITE, "NaN or Infinity is not a number the contract accepts"
            )
        return Rejected(Reason.MALFORMED, str(exc)[:300])
    return check_body(body, now_ms)


def check_body(body: Body, now_ms: int) -> Body | Rejected:
    """Version and device clock checks of a body that passed the schema."""
    if body.v != contract.SCHEMA_VERSION:
        return Rejected(Reason.UNKNOWN_VERSION, f"schema version {body.v} (this service speaks 1)")
    if not isinstance(body, contract.Availability):
        if body.ts > now_ms + MAX_FUTURE_MS:
            return Rejected(Reason.CLOCK_FUTURE, f"ts {body.ts} is {body.ts - now_ms} ms ahead")
        if body.ts < now_ms - MAX_PAST_MS:
            return Rejected(Reason.CLOCK_PAST, f"ts {body.ts} is {now_ms - body.ts} ms behind")
    return body


def range_error(detail: str) -> bool:
    """Whether a msgspec validation message is about a bound (not a type or a missing field)."""
    return "got" not in detail and _RANGE.search(detail) is not None


def _classify_invalid(payload: bytes, detail: str) -> Rejected:
    try:
        version = _VERSION.decode(payload).v
    except msgspec.MsgspecError:
        version = None
    if isinstance(version, int) and version != contract.SCHEMA_VERSION:
        return Rejected(Reason.UNKNOWN_VERSION, f"schema version {version} (this service speaks 1)")
    if range_error(detail):
        return Rejected(Reason.OUT_OF_RANGE, detail[:300])
    return Rejected(Reason.SCHEMA, detail[:300])
