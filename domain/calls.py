"""What operators do on an alarm besides accepting and resolving: calls and dispatches.

A call log entry says who called whom, when, how it went. A dispatch asks emergency services
(120) to go, with the exact location: the home's address and coordinates, or the pendant's last
fix when the resident is out (紧急情况下……并提供老年人详细地理位置).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CallResult(StrEnum):
    REACHED = "reached"  # spoke with the person called
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    WRONG_NUMBER = "wrong_number"
    VOICEMAIL = "voicemail"


class Callee(StrEnum):
    RESIDENT = "resident"
    FAMILY = "family"
    NEIGHBOUR = "neighbour"
    COMMUNITY = "community"  # community worker
    EMERGENCY = "emergency"  # 120 / 110 / 119
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class CallEntry:
    entry_id: str
    alarm_id: str
    home_id: str
    at_ms: int
    caller: str  # the operator
    callee: Callee
    callee_name: str
    number: str
    result: CallResult
    note: str = ""


class LocationSource(StrEnum):
    HOME = "home"  # the home's address and coordinates
    PENDANT = "pendant"  # the wearable's last fix (the resident is out)


@dataclass(frozen=True, slots=True)
class Location:
    source: LocationSource
    address: str
    lat: float | None
    lon: float | None
    at_ms: int | None = None  # when the fix was taken (pendant)


@dataclass(frozen=True, slots=True)
class Dispatch:
    dispatch_id: str
    alarm_id: str
    home_id: str
    at_ms: int
    actor: str
    service: str  # "120"
    location: Location
    note: str = ""


def dispatch_location(
    address: str,
    lat: float | None,
    lon: float | None,
    fix: tuple[float, float, int] | None,
    out: bool,
) -> Location:
    """Where to send help: the pendant's fix when the resident is out and one is known,
    otherwise the home (the address is always sent, so a crew can still ask the family)."""
    if out and fix is not None:
        return Location(LocationSource.PENDANT, address, fix[0], fix[1], fix[2])
    return Location(LocationSource.HOME, address, lat, lon)
