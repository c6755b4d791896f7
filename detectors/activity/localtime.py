"""Local time of a home: the hour of day and the date decide which rule and baseline apply."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import NamedTuple

HOUR_MS = 3_600_000


class Local(NamedTuple):
    day: int  # proleptic Gregorian ordinal of the local date
    hour: float  # 0 <= hour < 24, fractional

    @property
    def hour_index(self) -> int:
        return int(self.hour) % 24


def local(ts_ms: int, tz: tzinfo) -> Local:
    moment = datetime.fromtimestamp(ts_ms / 1000, tz)
    return Local(moment.toordinal(), moment.hour + moment.minute / 60 + moment.second / 3600)


def at_hour(ts_ms: int, here: Local, hour: float) -> int:
    """The instant of `hour` o'clock on the local day of `ts_ms` (ignoring a DST jump that day)."""
    return ts_ms + int((hour - here.hour) * HOUR_MS)
