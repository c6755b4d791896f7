"""Call-centre figures from the alarm records: how fast a person takes charge.

Time to first acceptance is from the alarm being raised to the first action of a person
(accepted, in progress or resolved by someone other than the system). The telecare standard
(TSA) asks 97.5% within 60 s and 99% within 180 s. An open alarm nobody has taken counts as a
miss once it is older than the threshold; alarms the resident cancelled before anyone took them
need no answer and are left out. Technical alarms are not care calls and are left out too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from domain.alarms import Alarm, AlarmState, Category
from domain.model import Home

TARGET_60 = 0.975
TARGET_180 = 0.99
SHIFTS = (("night", 0, 8), ("day", 8, 16), ("evening", 16, 24))
HANDLED = frozenset({AlarmState.ACCEPTED, AlarmState.IN_PROGRESS, AlarmState.RESOLVED})


def first_taken_ms(alarm: Alarm) -> int | None:
    """Milliseconds from raise to the first person's action, None if nobody acted yet."""
    for change in alarm.history:
        if change.state in HANDLED and change.actor not in ("system", "resident"):
            return max(0, change.at_ms - alarm.raised_ms)
    return None


def shift_of(raised_ms: int, timezone: str) -> str:
    hour = datetime.fromtimestamp(raised_ms / 1000, ZoneInfo(timezone)).hour
    return next(name for name, start, end in SHIFTS if start <= hour < end)


@dataclass(slots=True)
class Figures:
    alarms: int = 0
    taken: int = 0
    waiting: int = 0  # open, nobody has taken it yet
    within_60: int = 0
    within_180: int = 0
    due_60: int = 0  # alarms old enough to be judged against 60 s
    due_180: int = 0
    times_ms: list[int] | None = None

    def add(self, taken_ms: int | None, age_ms: int) -> None:
        self.alarms += 1
        if taken_ms is None:
            self.waiting += 1
            self.due_60 += age_ms > 60_000
            self.due_180 += age_ms > 180_000
            return
        self.taken += 1
        self.due_60 += 1
        self.due_180 += 1
        self.within_60 += taken_ms <= 60_000
        self.within_180 += taken_ms <= 180_000
        if self.times_ms is None:
            self.times_ms = []
        self.times_ms.append(taken_ms)

    def view(self) -> dict[str, Any]:
        times = sorted(self.times_ms or [])
        share_60 = self.within_60 / self.due_60 if self.due_60 else None
        share_180 = self.within_180 / self.due_180 if self.due_180 else None
        return {
            "alarms": self.alarms,
            "taken": self.taken,
            "waiting": self.waiting,
            "median_s": None if not times else median(times) / 1000,
            "p90_s": None
            if not times
            else times[min(len(times) - 1, int(0.9 * len(times)))] / 1000,
            "max_s": None if not times else times[-1] / 1000,
            "share_60s": share_60,
            "share_180s": share_180,
            "meets_60s": None if share_60 is None else share_60 >= TARGET_60,
            "meets_180s": None if share_180 is None else share_180 >= TARGET_180,
        }


def compute(
    alarms: Iterable[Alarm], homes: Mapping[str, Home], now_ms: int, *, since_ms: int = 0
) -> dict[str, Any]:
    """Figures overall, by community, by shift (local time of the home) and by both."""
    total = Figures()
    by_community: dict[str, Figures] = {}
    by_shift: dict[str, Figures] = {}
    by_both: dict[str, Figures] = {}
    for alarm in alarms:
        if alarm.raised_ms < since_ms or alarm.category is Category.TECHNICAL:
            continue
        taken = first_taken_ms(alarm)
        if taken is None and alarm.state is AlarmState.CANCELLED:
            continue
        if taken is None and not alarm.is_open:  # closed by the system: no one answered
            taken_age = alarm.updated_ms - alarm.raised_ms
        else:
            taken_age = now_ms - alarm.raised_ms
        home = homes.get(alarm.home_id)
        community = home.community_id if home else "unknown"
        shift = shift_of(alarm.raised_ms, home.timezone if home else "Asia/Shanghai")
        for figures in (
            total,
            by_community.setdefault(community, Figures()),
            by_shift.setdefault(shift, Figures()),
            by_both.setdefault(f"{community}/{shift}", Figures()),
        ):
            figures.add(taken, taken_age)
    return {
        "targets": {"share_60s": TARGET_60, "share_180s": TARGET_180},
        "since_ms": since_ms,
        "now_ms": now_ms,
        "all": total.view(),
        "by_community": {k: v.view() for k, v in sorted(by_community.items())},
        "by_shift": {k: v.view() for k, v in sorted(by_shift.items())},
        "by_community_shift": {k: v.view() for k, v in sorted(by_both.items())},
    }
