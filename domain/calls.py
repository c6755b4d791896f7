"""What operators do on an alarm besides accepting and resolving: calls and dispatches.

A call log entry says who called whom, when, how it went. A dispatch asks emergency services
(120) to go, with the exact location: the home's address and coordinates, or the pendant's last
fix when the resident is out (紧急情况下……并提供老年人详细地理位置).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from math import asin, cos, radians, sin, sqrt


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


OUT_AFTER_M = 200.0  # a fix this far from home means the resident is out


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), metres."""
    p1, p2 = radians(lat1), radians(lat2)
    dp, dl = p2 - p1, radians(lon2 - lon1)
    h = sin(dp / 2) ** 2 + cos(p1) * cos(p2) * sin(dl / 2) ** 2
    return 2 * 6_371_000 * asin(sqrt(h))


def is_out(home_lat: float | None, home_lon: float | None, fix: tuple[float, float, int]) -> bool:
    """Out when the pendant's fix is more than OUT_AFTER_M from home (or home has no position)."""
    if home_lat is None or home_lon is None:
        return True
    return distance_m(home_lat, home_lon, fix[0], fix[1]) > OUT_AFTER_M
