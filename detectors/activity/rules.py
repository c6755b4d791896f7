"""When each care rule would fire for a home, given its state (pure: no clock, no I/O).

`deadlines` lists every rule that is armed, with the instant it fires if nothing happens
before. The detector raises the ones whose instant has passed and sleeps until the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

import numpy as np

from detectors.activity.baseline import ROOM_INDEX, sample_quantile
from detectors.activity.config import ActivityConfig, in_window
from detectors.activity.localtime import Local, at_hour, local
from detectors.activity.state import HomeState, Mode
from domain.model import Room

SILENCE_RULES = frozenset(
    {
        "inactivity",
        "bathroom_too_long",
        "not_up",
        "no_activity",
        "no_activity_window",
        "out_of_bed_night",
    }
)  # the rules a pre-warning precedes: the resident may simply be fine and can say so


@dataclass(frozen=True, slots=True)
class Due:
    rule: str
    at_ms: int
    evidence: dict[str, float | str]


def learning_over(state: HomeState, cfg: ActivityConfig, now_ms: int) -> bool:
    """`learning_days` of history since the first message."""
    first = state.first_ms
    return bool(first) and (now_ms - first) / 86_400_000 >= cfg.learning_days


def learned(state: HomeState, cfg: ActivityConfig, now_ms: int) -> bool:
    return bool(state.thresholds) and learning_over(state, cfg, now_ms)


def silence_threshold(
    state: HomeState, cfg: ActivityConfig, hour: int, now_ms: int
) -> tuple[str, float, bool]:
    """(rule, threshold seconds, learned?) for a silence that began in the last room."""
    room = Room(state.last_room) if state.last_room else None
    bathroom = room is Room.BATHROOM
    night = in_window(hour, cfg.night_start_h, cfg.night_end_h)
    if bathroom:
        floor = cfg.bathroom_night_max_s if night else cfg.bathroom_max_s
        ceiling = max(cfg.bathroom_ceiling_s, floor)
    else:
        floor, ceiling = cfg.gap_floor_s, max(cfg.gap_ceiling_s, cfg.gap_floor_s)
    rule = "bathroom_too_long" if bathroom else "inactivity"
    if not learned(state, cfg, now_ms):
        return rule, ceiling, False
    value = state.thresholds[ROOM_INDEX[room] * 24 + hour]
    if np.isnan(value):
        return rule, ceiling, False
    limit = value * cfg.gap_margin
    key = sensor_key(state.last_sensor, hour, cfg)
    if key is not None and key in state.sensor_names:
        row = state.sensor_names.index(key)
        if row < len(state.sensor_limit_s) and not np.isnan(state.sensor_limit_s[row]):
            # the sensor's own longest silences, pooled toward the room's limit: a sensor
            # seen on few days (n of the last 14) mostly keeps the room's limit
            n = state.sensor_count[row]
            own = state.sensor_limit_s[row] * cfg.sensor_margin
            limit = (n * own + cfg.sensor_prior * limit) / (n + cfg.sensor_prior)
    return rule, float(min(max(limit, floor), ceiling)), True


def sensor_key(sensor: str | None, hour: int, cfg: ActivityConfig) -> str | None:
    """The context a silence after `sensor` is learned in: the sensor and the part of the day
    (mornings of washing and breakfast, afternoons with a nap on the couch, evenings in front
    of the television are not still for as long after the same sensor). None at night: she
    is rarely up then, too few silences to learn per sensor, and going back to bed past no
    sensor is common; the room's limit (pooled over hours and rooms) stays in charge."""
    if sensor is None or in_window(hour, cfg.night_start_h, cfg.night_end_h):
        return None
    return f"{sensor}@{day_part(hour)}"


def day_part(hour: int) -> str:
    """Morning (before 12:00), afternoon (to 17:00) or evening."""
    return "am" if hour < 12 else "pm" if hour < 17 else "eve"


def wake_deadline_h(state: HomeState, cfg: ActivityConfig, now_ms: int) -> float:
    """Local hour by which the person is normally up: learned, else the classic window end."""
    usual = sample_quantile(state.wake_hours, 0.95, 5) if learned(state, cfg, now_ms) else None
    if usual is None:
        return cfg.not_up_by_h
    return min(max(usual + cfg.wake_margin_s / 3600, cfg.night_end_h + 1), cfg.wake_latest_h)


def not_returned_s(state: HomeState, cfg: ActivityConfig) -> float:
    if state.out_at_night:  # left at an hour of the night she is not usually out
        return cfg.night_out_max_s
    usual = sample_quantile(state.outings_s, 1.0, 3)
    return max(cfg.not_returned_floor_s, 1.25 * usual) if usual else cfg.not_returned_floor_s


def bathroom_stay_s(state: HomeState, cfg: ActivityConfig, night: bool, now_ms: int) -> float:
    """How long a bathroom stay may last: learned (day and night apart), within the bounds."""
    floor = cfg.bathroom_night_max_s if night else cfg.bathroom_max_s
    ceiling = max(cfg.bathroom_ceiling_s, floor)
    stays = state.bath_night_stays_s if night else state.bath_stays_s
    usual = sample_quantile(stays, cfg.stay_quantile, 5) if learned(state, cfg, now_ms) else None
    if usual is None:
        return ceiling
    return min(max(usual * cfg.stay_margin, floor), ceiling)


def is_out(state: HomeState, cfg: ActivityConfig, now_ms: int) -> bool:
    if state.out_since_ms is not None:
        return True
    leave = state.leave_ms
    return leave is not None and now_ms - leave >= cfg.out_after_s * 1000


def deadlines(state: HomeState, cfg: ActivityConfig, tz: tzinfo, now_ms: int) -> list[Due]:
    if state.last_ms == 0:
        return []
    due: list[Due] = []
    here = local(now_ms, tz)
    if state.mode is Mode.AWAY:
        return due
    if is_out(state, cfg, now_ms):
        since = state.out_since_ms or state.leave_ms or state.last_ms
        limit = not_returned_s(state, cfg)
        due.append(Due("not_returned", since + int(limit * 1000), {"limit_h": limit / 3600}))
        return [d for d in due if d.rule not in state.latched]  # once per outing
    last = local(state.last_ms, tz)
    silence_h = (now_ms - state.last_ms) / 3_600_000
    base: dict[str, float | str] = {"room": state.last_room or "", "silence_h": silence_h}
    if cfg.none_for_s > 0:
        due.append(Due("no_activity", state.last_ms + int(cfg.none_for_s * 1000), base))
    if cfg.window_rule is not None:
        start_h, end_h, x_s = cfg.window_rule
        if in_window(here.hour, start_h, end_h):
            start_ms = at_hour(now_ms, here, start_h)
            if start_ms > now_ms:
                start_ms -= 86_400_000
            since = max(state.last_ms, start_ms)
            due.append(Due("no_activity_window", since + int(x_s * 1000), base))
    _morning(state, cfg, now_ms, here, due)
    if state.rest_since_ms is not None:
        if not state.rest_at_night:
            limit = state.rest_since_ms + int(cfg.nap_max_s * 1000)
            due.append(Due("inactivity", limit, {**base, "reason": "in bed by day"}))
    else:
        rule, limit_s, was_learned = silence_threshold(state, cfg, last.hour_index, now_ms)
        evidence = {**base, "limit_min": limit_s / 60, "learned": str(was_learned).lower()}
        due.append(Due(rule, state.last_ms + int(limit_s * 1000), evidence))
    in_bathroom = state.last_room == Room.BATHROOM.value and state.bath_since_ms is not None
    if in_bathroom and state.bath_since_ms is not None and not state.bath_told:
        # a stay, timed from entering: she may still move in there and not get up
        entered = local(state.bath_since_ms, tz)
        night = in_window(entered.hour, cfg.night_start_h, cfg.night_end_h)
        stay_s = bathroom_stay_s(state, cfg, night, now_ms)
        evidence = {**base, "stay_limit_min": stay_s / 60, "since_ms": state.bath_since_ms}
        due.append(Due("bathroom_too_long", state.bath_since_ms + int(stay_s * 1000), evidence))
    if state.bed_left_ms is not None and not in_bathroom:  # in the bathroom: the rule above
        at = max(
            state.bed_left_ms + int(cfg.out_of_bed_max_s * 1000),
            state.last_ms + int(cfg.out_of_bed_quiet_s * 1000),
        )
        due.append(Due("out_of_bed_night", at, base))
    if state.has_kitchen and state.today.kitchen == 0 and learned(state, cfg, now_ms):
        due.append(Due("no_kitchen_activity", at_hour(now_ms, here, cfg.kitchen_idle_by_h), {}))
    return [d for d in due if d.rule not in state.latched and d.rule not in state.today.fired]


def _morning(
    state: HomeState, cfg: ActivityConfig, now_ms: int, here: Local, due: list[Due]
) -> None:
    """Not up by the usual time: no sign of life since the night ended (classic mode 2)."""
    if state.today.first_ms is not None and here.hour < cfg.night_end_h:
        return
    night_end_ms = at_hour(now_ms, here, cfg.night_end_h)
    if state.last_ms >= night_end_ms or here.hour < cfg.night_end_h:
        return
    deadline_h = wake_deadline_h(state, cfg, now_ms)
    due.append(
        Due("not_up", at_hour(now_ms, here, deadline_h), {"usual_by_h": round(deadline_h, 2)})
    )
