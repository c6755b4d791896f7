"""Homes at a glance: one status tile per home, a pure function of a few facts.

The order is the rule: the first that holds wins.
1. alarm: an open care alarm (critical or major: SOS, fall, a long silence...);
2. device problem: an open technical alarm (offline, battery low, pendant not worn...);
3. away: the resident is marked away (hospital, holiday) until a time still to come;
4. needs attention: an open notice (minor), or no sign of life inside the home for
   `SILENT_AFTER_MS` (or never any);
5. fine.
The state store computes the same order in SQL so thousands of homes can be filtered and paged
there; a test checks every combination of facts against this function.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

SILENT_AFTER_MS = 12 * 3600 * 1000


class Tile(StrEnum):
    ALARM = "alarm"
    DEVICE = "device"
    AWAY = "away"
    ATTENTION = "attention"
    FINE = "fine"


TILE_ORDER: tuple[Tile, ...] = (Tile.ALARM, Tile.DEVICE, Tile.AWAY, Tile.ATTENTION, Tile.FINE)


@dataclass(frozen=True, slots=True)
class HomeFacts:
    care_alarm: bool = False  # open alarm of severity critical or major
    notice: bool = False  # open alarm of severity minor
    device_fault: bool = False  # open technical alarm
    away_until_ms: int | None = None  # marked away until then
    last_activity_ms: int | None = None  # last sign of life inside the home


def is_away(facts: HomeFacts, now_ms: int) -> bool:
    return facts.away_until_ms is not None and facts.away_until_ms > now_ms


def is_silent(facts: HomeFacts, now_ms: int, silent_after_ms: int = SILENT_AFTER_MS) -> bool:
    last = facts.last_activity_ms
    return last is None or now_ms - last >= silent_after_ms


def tile(facts: HomeFacts, now_ms: int, silent_after_ms: int = SILENT_AFTER_MS) -> Tile:
    if facts.care_alarm:
        return Tile.ALARM
    if facts.device_fault:
        return Tile.DEVICE
    if is_away(facts, now_ms):
        return Tile.AWAY
    if facts.notice or is_silent(facts, now_ms, silent_after_ms):
        return Tile.ATTENTION
    return Tile.FINE
