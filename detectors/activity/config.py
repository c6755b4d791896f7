"""Per-resident settings of the activity detectors, with their documented defaults.

Every threshold can be overridden per resident (`ActivityConfig.with_overrides`). Times of day
are hours in the home's local time (0-24, may wrap midnight); durations are seconds. Learned
thresholds are clamped between a floor and a ceiling given here, so a short or odd learning
period can never make a rule absurdly eager or blind. `docs/detectors.md` explains each one.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

MIN = 60
HOUR = 3600


@dataclass(frozen=True, slots=True)
class ActivityConfig:
    # learning
    learning_days: float = 7.0  # learned rules stay off until this much history is seen
    gap_quantile: float = 0.995  # quantile of normal silences (per room, per hour) ...
    gap_margin: float = 2.0  # ... times this margin is the inactivity threshold
    gap_floor_s: float = 45 * MIN  # never alarm on a silence shorter than this
    gap_ceiling_s: float = 6 * HOUR  # a learned threshold never exceeds this
    min_samples: int = 12  # fewer silences than this in a cell: pool wider
    # per last sensor, by day: what follows the very sensor that spoke last (after the toilet
    # flush she walks on to rooms without sensors; after the cups cupboard she is back soon)
    sensor_long_s: float = 5 * MIN  # silences this long are learned per sensor and day part:
    sensor_margin: float = 1.5  # the longest of each day's longest (14 days) x this margin,
    sensor_prior: float = 8.0  # pooled toward the room's limit as if that were this many days
    # classic social-alarm modes (explicit rules, active from the first day)
    none_for_s: float = 12 * HOUR  # mode 1: no activity for N hours (0 disables)
    not_up_by_h: float = 11.0  # mode 2: no activity inside [night_end_h, not_up_by_h)
    window_rule: tuple[float, float, float] | None = None  # mode 3: (start_h, end_h, x_s)
    # sleep and night
    night_start_h: float = 21.0
    night_end_h: float = 6.0
    nap_max_s: float = 4 * HOUR  # daytime in bed longer than this counts as inactivity
    wake_margin_s: float = 45 * MIN  # learned "usually up by" + this = "not up" deadline
    wake_latest_h: float = 14.0  # the learned deadline never goes later than this
    out_of_bed_max_s: float = 60 * MIN  # out of bed at night and not back (floor of learned)
    out_of_bed_quiet_s: float = 30 * MIN  # ... and the house quiet this long
    # rooms
    bathroom_max_s: float = 60 * MIN  # floor of the learned bathroom stay (day)
    bathroom_night_max_s: float = 45 * MIN  # floor at night
    bathroom_ceiling_s: float = 2 * HOUR  # a learned bathroom stay limit never exceeds this
    stay_quantile: float = 0.95  # learned bathroom stay (day / night apart) ...
    stay_margin: float = 2.0  # ... times this margin is the stay limit
    kitchen_idle_by_h: float = 16.0  # no kitchen activity all day, checked at this hour
    kitchen_hot_c: float = 60.0  # kitchen temperature alarm
    smoke_pct: float = 10.0  # kitchen smoke obscuration alarm (%/m)
    # front door and outings
    out_after_s: float = 10 * MIN  # front door then this long without inside activity: out
    return_needs_door: bool = True  # while out, only a front door passage brings her back ...
    ghost_return_s: float = 30 * MIN  # ... or 3 bursts of life inside, 2 rooms, within this
    door_night_start_h: float = 0.0  # front door opened in this window (wandering) ...
    door_night_end_h: float = 5.0
    door_night_usual: int = 2  # ... unless it was used at that hour on this many learned days
    not_returned_floor_s: float = 16 * HOUR  # out longer than learned outings, at least this
    night_out_max_s: float = 60 * MIN  # left at an unusual hour of the night, not back by this
    # pre-warning, modes
    prewarning_s: float = 180.0  # the resident can cancel this long before the alarm goes out
    visitor_max_s: float = 4 * HOUR  # visitor mode ends by itself after this
    away_max_s: float = 14 * 24 * HOUR  # away mode ends by itself after this
    # daily routine
    routine_z: float = 3.0  # deviation score above this: a wellness notice
    routine_min_days: int = 7

    def with_overrides(self, overrides: dict[str, Any]) -> ActivityConfig:
        """A copy with some settings changed; unknown names are an error, not ignored."""
        known = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(f"unknown activity settings: {', '.join(unknown)}")
        values = dict(overrides)
        if isinstance(values.get("window_rule"), list):
            values["window_rule"] = tuple(values["window_rule"])
        return dataclasses.replace(self, **values)


def in_window(hour: float, start_h: float, end_h: float) -> bool:
    """Is a local hour inside [start, end), where the window may wrap midnight."""
    if start_h <= end_h:
        return start_h <= hour < end_h
    return hour >= start_h or hour < end_h


FIXED_12H = ActivityConfig(
    learning_days=1e9,
    gap_floor_s=1e9,
    gap_ceiling_s=1e9,
    bathroom_ceiling_s=1e9,
    none_for_s=12 * HOUR,
    not_up_by_h=24.0,
    nap_max_s=1e9,
    out_of_bed_max_s=1e9,
    bathroom_max_s=1e9,
    bathroom_night_max_s=1e9,
    kitchen_idle_by_h=24.0,
    door_night_start_h=0.0,
    door_night_end_h=0.0,
    not_returned_floor_s=1e9,
    night_out_max_s=1e9,
    prewarning_s=0.0,
)
"""The usual product default, used as the baseline: only "no activity for 12 hours"."""
