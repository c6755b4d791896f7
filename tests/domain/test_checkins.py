"""Monthly check-ins: months in local time, coverage per community, who is due."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from domain.checkins import (
    Checkin,
    CheckinKind,
    CheckinResult,
    due,
    month_bounds_ms,
    month_of,
    with_month,
)
from domain.checkins import coverage as coverage_of

SH = ZoneInfo("Asia/Shanghai")


def ms(*args: int) -> int:
    return int(datetime(*args, tzinfo=SH).timestamp() * 1000)  # type: ignore[arg-type,misc]


def checkin(resident: str, at: int, result: CheckinResult = CheckinResult.WELL) -> Checkin:
    c = Checkin("id-" + resident + str(at), resident, "h", "c", CheckinKind.CALL, at, "op1", result)
    return with_month(c)


def test_month_is_local_time() -> None:
    # 2026-11-30 23:30 in Shanghai is 15:30 UTC: still November there
    assert month_of(ms(2026, 11, 30, 23, 30)) == "2026-11"
    assert month_of(ms(2026, 12, 1, 0, 0)) == "2026-12"
    start, end = month_bounds_ms("2026-12")
    assert start == ms(2026, 12, 1) and end == ms(2027, 1, 1)


@pytest.mark.parametrize("bad", ["2026-13", "26-11", "2026/11", "", "2026-1", "abcd-ef"])
def test_bad_months_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        month_bounds_ms(bad)


def test_coverage_counts_each_resident_once_and_not_reached_does_not_count() -> None:
    residents = {"r1": "c1", "r2": "c1", "r3": "c1", "r4": "c2"}
    nov = ms(2026, 11, 5, 10)
    checkins = [
        checkin("r1", nov),
        checkin("r1", nov + 1000),  # twice: still one resident
        checkin("r2", nov, CheckinResult.NOT_REACHED),
        checkin("r3", ms(2026, 10, 30, 10)),  # last month
        checkin("r4", nov, CheckinResult.FOLLOW_UP),
    ]
    cov = coverage_of(residents, checkins, "2026-11")
    assert (cov["c1"].residents, cov["c1"].covered) == (3, 1)
    assert cov["c1"].rate == pytest.approx(1 / 3) and cov["c1"].meets_target is False
    assert cov["c2"].rate == 1.0 and cov["c2"].meets_target is True
    assert due(["r1", "r2", "r3", "r4"], checkins, "2026-11") == ["r2", "r3"]
