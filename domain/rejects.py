"""Why a message was rejected. Every reason is counted and the raw message is kept."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Reason(StrEnum):
    OVERSIZED = "oversized"  # payload over contract.MAX_PAYLOAD_BYTES
    BAD_TOPIC = "bad_topic"  # not a contract topic
    MALFORMED = "malformed"  # not JSON
    NON_FINITE = "non_finite"  # NaN or Infinity in a number
    UNKNOWN_VERSION = "unknown_version"  # schema version this service does not speak
    SCHEMA = "schema"  # wrong type, missing or unknown field
    OUT_OF_RANGE = "out_of_range"  # a value outside the contract's range
    CLOCK_FUTURE = "clock_future"  # device timestamp too far ahead of Anju's clock
    CLOCK_PAST = "clock_past"  # device timestamp too far behind Anju's clock
    UNKNOWN_DEVICE = "unknown_device"  # device id not provisioned
    SPOOFED = "spoofed"  # device publishes on another home's topic
    DUPLICATE = "duplicate"  # (device, seq) already taken: a replay or a redelivery
    RATE_LIMITED = "rate_limited"  # device exceeded its message budget
    DECODER = "decoder"  # a device model's decoder failed


@dataclass(frozen=True, slots=True)
class Rejected:
    reason: Reason
    detail: str
