"""What the sensors sense, as pure functions of the resident's activity (numpy, seeded)."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from firmware_sim.models import PIR_BLIND_S, PIR_CLEAR_S

# mean seconds between movements a PIR can see, by activity
MOVE_EVERY_S: dict[str, float] = {
    "sleep": 2400.0,
    "nap": 1800.0,
    "sit": 150.0,
    "eat": 90.0,
    "cook": 12.0,
    "drink": 8.0,
    "toilet": 40.0,
    "wash": 10.0,
    "shower": 15.0,
    "dress": 8.0,
    "pass": 4.0,
    "leave": 4.0,
    "return": 4.0,
    "visitor": 4.0,
    "visit": 25.0,
    "wander": 6.0,
    "floor": 900.0,  # after a fall: slight movements at most
    "still": 1e12,  # collapsed, unconscious
    "stuck": 900.0,  # cannot get up from the toilet: a few movements an hour
}
HR_BOOST: dict[str, float] = {"cook": 10, "wash": 8, "shower": 14, "dress": 10, "pass": 12}
HR_BOOST |= {"leave": 15, "return": 18, "out": 22, "wander": 16, "sleep": -8, "nap": -6}
HR_BOOST |= {"floor": 25, "visit": 6}


def pir_events(
    start: float, end: float, activity: str, rng: np.random.Generator, entering: bool = True
) -> list[tuple[float, bool]]:
    """Motion reports of one PIR while the resident stays in its room from `start` to `end`.

    A report (True) needs a movement and at least PIR_BLIND_S since the previous report; the
    sensor says False PIR_CLEAR_S after its last report when no further report came.
    """
    every = MOVE_EVERY_S.get(activity, 120.0)
    span = end - start
    n = int(span / every * 1.5) + 4
    moves: NDArray[np.float64] = start + np.cumsum(rng.exponential(every, size=n))
    moves = moves[moves < end]
    if entering:  # walking in; a fall or collapse is seen as it happens, before the impact upload
        first = 0.1 if activity in ("floor", "still") else float(rng.uniform(0.5, 3.0))
        moves = np.concatenate([[start + first], moves])
    reports: list[float] = []
    last = -math.inf
    for m in moves.tolist():
        if m - last >= PIR_BLIND_S:
            reports.append(m)
            last = m
    out: list[tuple[float, bool]] = []
    for i, r in enumerate(reports):
        out.append((r, True))
        nxt = reports[i + 1] if i + 1 < len(reports) else math.inf
        if nxt - r > PIR_CLEAR_S:
            out.append((r + PIR_CLEAR_S, False))
    return out


def heart_rate(rest: float, activity: str, rng: np.random.Generator) -> float:
    hr = rest + HR_BOOST.get(activity, 0.0) + float(rng.normal(0.0, 3.0))
    return round(min(max(hr, 35.0), 200.0), 0)


def ambient_c(t: float, tz_offset_h: float = 8.0) -> float:
    """Kitchen temperature with nobody cooking: Jinghong is warm, coolest before dawn."""
    local_h = ((t / 3600.0) + tz_offset_h) % 24.0
    return 24.5 + 3.0 * math.sin((local_h - 9.0) / 24.0 * 2.0 * math.pi)


def heat_c(t: float, on: float, off: float, rise_c: float, tau_s: float = 300.0) -> float:
    """Extra heat from a stove on from `on` to `off`: first-order rise, then decay."""
    if t <= on:
        return 0.0
    if t <= off:
        return rise_c * (1.0 - math.exp(-(t - on) / tau_s))
    peak = rise_c * (1.0 - math.exp(-(off - on) / tau_s))
    return peak * math.exp(-(t - off) / (2.0 * tau_s))
