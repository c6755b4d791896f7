"""The monthly check-in: every resident gets a call or a visit each month.

每月定期电话问候，或上门回访.

A check-in counts for the calendar month it happened in, in the home's local time. Coverage of a
community for a month is the share of its residents with at least one check-in in that month;
the prefecture's target is 100% (特殊困难老年人月探访率达100%).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

TARGET = 1.0
DEFAULT_TZ = "Asia/Shanghai"


class CheckinKind(StrEnum):
    CALL = "call"
    VISIT = "visit"


class CheckinResult(StrEnum):
    WELL = "well"  # spoke with / saw the person, all is well
    FOLLOW_UP = "follow_up"  # something needs doing (the note says what)
    NOT_REACHED = "not_reached"  # nobody answered / nobody home: does not count


COUNTS = frozenset({CheckinResult.WELL, CheckinResult.FOLLOW_UP})


@dataclass(frozen=True, slots=True)
class Checkin:
    checkin_id: str
    resident_id: str
    home_id: str
    community_id: str
    kind: CheckinKind
    at_ms: int
    actor: str
    result: CheckinResult = CheckinResult.WELL
    note: str = ""
    month: str = ""  # "YYYY-MM" local, filled by `month_of`

    @property
    def counts(self) -> bool:
        return self.result in COUNTS


@dataclass(frozen=True, slots=True)
class Coverage:
    community_id: str
    month: str
    residents: int
    covered: int

    @property
    def rate(self) -> float | None:
        return self.covered / self.residents if self.residents else None

    @property
    def meets_target(self) -> bool | None:
        rate = self.rate
        return None if rate is None else rate >= TARGET


def month_of(at_ms: int, timezone: str = DEFAULT_TZ) -> str:
    local = datetime.fromtimestamp(at_ms / 1000, ZoneInfo(timezone))
    return f"{local.year:04d}-{local.month:02d}"


def parse_month(month: str) -> tuple[int, int]:
    """'2026-11' -> (2026, 11); ValueError otherwise."""
    year_s, sep, month_s = month.partition("-")
    if not sep or len(year_s) != 4 or len(month_s) != 2:
        raise ValueError(f"month must look like 2026-11, not {month!r}")
    year, mon = int(year_s), int(month_s)
    if not 1 <= mon <= 12 or not 2000 <= year <= 2200:
        raise ValueError(f"no such month {month!r}")
    return year, mon


def month_bounds_ms(month: str, timezone: str = DEFAULT_TZ) -> tuple[int, int]:
    """[start, end) of a local calendar month, in ms since the epoch."""
    year, mon = parse_month(month)
    tz = ZoneInfo(timezone)
    start = datetime(year, mon, 1, tzinfo=tz)
    end = datetime(year + (mon == 12), 1 if mon == 12 else mon + 1, 1, tzinfo=tz)
    return int(start.timestamp() * 1000), int(end.timestamp() * 1000)


def with_month(checkin: Checkin, timezone: str = DEFAULT_TZ) -> Checkin:
    return replace(checkin, month=month_of(checkin.at_ms, timezone))


def coverage(
    residents: Mapping[str, str], checkins: Iterable[Checkin], month: str
) -> dict[str, Coverage]:
    """Per community: residents (resident_id -> community_id) and how many were reached."""
    covered: set[str] = {
        c.resident_id for c in checkins if c.month == month and c.counts and c.resident_id
    }
    totals: dict[str, list[int]] = {}
    for resident_id, community in residents.items():
        counts = totals.setdefault(community, [0, 0])
        counts[0] += 1
        counts[1] += resident_id in covered
    return {c: Coverage(c, month, n, k) for c, (n, k) in sorted(totals.items())}


def due(residents: Iterable[str], checkins: Iterable[Checkin], month: str) -> list[str]:
    """Residents not yet reached this month, in the given order."""
    done = {c.resident_id for c in checkins if c.month == month and c.counts}
    return [r for r in residents if r not in done]
