"""Where she is inside: at rest (bed, or the bedroom at night), bathroom stays, and the
kitchen's heat and smoke.

Pure functions of one home's state (no clock, no I/O); `Home.observe` calls them for every sign
of life, in the order of the recording.
"""

from __future__ import annotations

from datetime import tzinfo

from detectors.activity.baseline import keep_last
from detectors.activity.config import ActivityConfig, in_window
from detectors.activity.localtime import local
from detectors.activity.state import HomeState, Mode
from domain.model import Room

SETTLE_MS = 120_000  # sensors of one movement arrive out of order: a new rest is not ended
# by another room's event in its first two minutes (bedroom door, then the flush heard late)


def rest(s: HomeState, room: Room | None, ts_ms: int, night: bool, bed: bool | None) -> None:
    """Start or end a rest. At night a bed anywhere (a couch mat too) is rest, and so is the
    bedroom; by day only the bedroom's bed (a nap)."""
    in_bedroom = room is Room.BEDROOM or (bed is not None and room is None)
    if bed is not None and in_bedroom:
        s.has_bed_sensor = True
        s.in_bed = bed
        if not bed and night:
            s.bed_left_ms = ts_ms
        elif bed:
            s.bed_left_ms = None
    resting_now = (night and (in_bedroom or bed is True) and bed is not False) or (
        bed is True and in_bedroom
    )
    ends = not resting_now and (not in_bedroom or bed is False)
    settled = s.rest_since_ms is not None and ts_ms - s.rest_since_ms >= SETTLE_MS
    if s.rest_since_ms is not None and ends and (settled or bed is False):
        s.today.rest_s += (ts_ms - max(s.rest_since_ms, s.rest_counted_ms)) / 1000
        s.rest_since_ms = None
    if resting_now and s.rest_since_ms is None:
        s.rest_since_ms, s.rest_at_night = ts_ms, night
    if not night:
        s.bed_left_ms = None


def bathroom(
    s: HomeState, cfg: ActivityConfig, tz: tzinfo, room: Room | None, ts_ms: int, *, was_out: bool
) -> bool:
    """A bathroom stay runs from its first event to the first event of another room.

    True: a bathroom event that arrived late, within two minutes of her leaving (the flush
    heard after the bedroom door): she is where the other room said.
    """
    if room is Room.BATHROOM:
        if s.bath_since_ms is None and 0 <= ts_ms - s.bath_left_ms <= SETTLE_MS:
            return True
        # a stay starts with the first bathroom event, or again after a long silence
        if s.bath_since_ms is None or ts_ms - s.last_ms > cfg.bathroom_ceiling_s * 1000:
            s.bath_since_ms, s.bath_told = ts_ms, False
        return False
    if s.bath_since_ms is None:
        return False
    s.bath_left_ms = ts_ms
    if s.mode is Mode.NORMAL and not was_out:
        entered = local(s.bath_since_ms, tz)
        night = in_window(entered.hour, cfg.night_start_h, cfg.night_end_h)
        stays = s.bath_night_stays_s if night else s.bath_stays_s
        keep_last(stays, (ts_ms - s.bath_since_ms) / 1000)
    s.bath_since_ms = None
    return False


def kitchen_heat(
    s: HomeState,
    cfg: ActivityConfig,
    temperature: float | None,
    smoke: float | None,
    alarm: bool | None,
) -> str | None:
    """`kitchen_hot` or `smoke` when the kitchen turns hot (once, until it has cooled down)."""
    hot = (
        (temperature is not None and temperature >= cfg.kitchen_hot_c)
        or (smoke is not None and smoke >= cfg.smoke_pct)
        or alarm is True
    )
    cool = (
        (temperature is None or temperature < cfg.kitchen_hot_c - 5)
        and (smoke is None or smoke < cfg.smoke_pct / 2)
        and alarm is not True
    )
    if hot and not s.kitchen_hot:
        s.kitchen_hot = True
        return "smoke" if (alarm or (smoke or 0) >= cfg.smoke_pct) else "kitchen_hot"
    if cool and s.kitchen_hot and (temperature is not None or alarm is False):
        s.kitchen_hot = False
    return None
