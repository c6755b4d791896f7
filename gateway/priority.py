"""Which messages go first: alarms, then other events and status, readings last.

Priority 0 holds what a life may depend on (SOS, falls, impacts, smoke alarms) and the "I'm OK"
cancel that belongs with them; those are never evicted and always replayed first. Priority 1 holds
every other event, heartbeats and availability; priority 2 holds periodic readings.
"""

from __future__ import annotations

import msgspec

ALARM = 0
EVENT = 1
READING = 2
LOWEST = READING

ALARM_TYPES: frozenset[str] = frozenset({"sos", "fall", "impact", "smoke_alarm", "cancel"})


class _Tagged(msgspec.Struct):
    type: str = ""
    seq: int = -1


_decoder = msgspec.json.Decoder(_Tagged)


def peek(payload: bytes) -> tuple[str, int]:
    """The event `type` and `seq` of a payload, ("", -1) where absent or unreadable."""
    try:
        tagged = _decoder.decode(payload)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return "", -1
    return tagged.type, tagged.seq


def classify(channel: str, payload: bytes) -> int:
    """Priority of a message on an uplink channel of the contract."""
    if channel == "reading":
        return READING
    if channel == "event" and peek(payload)[0] in ALARM_TYPES:
        return ALARM
    return EVENT
