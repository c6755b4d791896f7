"""Measure the real van Kasteren homes and the simulated residents the same way, side by side.

Real: the labelled activities of houses A, B and C (start, duration, activity id; local time
Amsterdam: UTC+1 in winter, UTC+2 in summer). Simulated: the day plans of each persona over
`days` days. Both give toilet visits a day and their median length, showers a day, hours in
bed at night, bedtime and wake-up hour, outings a day and their median length, and meal
preparation. docs/simulator.md holds the table and what was kept or changed.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from firmware_sim.people import PERSONAS, PersonaName
from firmware_sim.routine import plan_day

HOUSE_UTC_OFFSET_H = {"A": 1.0, "B": 2.0, "C": 1.0}
METRICS = (
    "toilet_per_day",
    "toilet_min",
    "shower_per_day",
    "sleep_h",
    "bedtime_h",
    "wake_h",
    "out_per_day",
    "out_min",
    "cook_min",
)


@dataclass(frozen=True, slots=True)
class Stay:
    start: float  # local hours since the first midnight
    minutes: float
    what: str  # toilet, shower, sleep, out, cook


def _profile(stays: list[Stay], days: float) -> dict[str, float]:
    def of(what: str) -> list[Stay]:
        return [s for s in stays if s.what == what]

    sleep = [s for s in of("sleep") if s.minutes > 180]
    med = statistics.median
    return {
        "toilet_per_day": len(of("toilet")) / days,
        "toilet_min": med([s.minutes for s in of("toilet")] or [0.0]),
        "shower_per_day": len(of("shower")) / days,
        "sleep_h": med([s.minutes / 60 for s in sleep] or [0.0]),
        "bedtime_h": med([(s.start % 24 + 12) % 24 - 12 + 24 for s in sleep] or [0.0]),
        "wake_h": med([(s.start + s.minutes / 60) % 24 for s in sleep] or [0.0]),
        "out_per_day": len(of("out")) / days,
        "out_min": med([s.minutes for s in of("out")] or [0.0]),
        "cook_min": med([s.minutes for s in of("cook")] or [0.0]),
    }


_VK = {"use-toilet": "toilet", "take-shower": "shower", "go-to-bed": "sleep"}
_VK |= {"leave-house": "out", "prep-dinner": "cook"}


def real_house(folder: Path, house: str) -> dict[str, float]:
    rows = np.loadtxt(folder / f"house{house}.activities", dtype=np.int64, ndmin=2)
    names = {}
    for line in (folder / f"house{house}.activity_names").read_text().splitlines():
        if line.strip():
            k, v = line.split(None, 1)
            names[int(k)] = v.strip()
    offset = HOUSE_UTC_OFFSET_H[house] * 3600
    first_midnight = (rows[:, 0].min() + offset) // 86400 * 86400
    stays = [
        Stay((start + offset - first_midnight) / 3600, dur / 60, _VK[names[aid]])
        for start, dur, aid in rows.tolist()
        if names.get(aid) in _VK
    ]
    days = (rows[:, 0].max() - rows[:, 0].min()) / 86400
    return _profile(stays, days)


def simulated(persona: PersonaName, days: int = 60, seed: int = 1) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    p = PERSONAS[persona]
    wake = p.wake_h * 3600.0
    stays: list[Stay] = []
    what = {"toilet": "toilet", "shower": "shower", "sleep": "sleep", "out": "out", "cook": "cook"}
    for _ in range(days):
        day0 = wake // 86400 * 86400
        plan = plan_day(p, wake, day0, rng)
        night: list[
            float
        ] = []  # a night in bed, bathroom trips included (as van Kasteren labels it)
        for seg in plan:
            kind = what.get(seg.activity)
            if kind == "sleep":
                if night and seg.start - night[1] <= 45 * 60:
                    night[1] = seg.end
                else:
                    if night:
                        stays.append(_stay(night[0], night[1], "sleep"))
                    night = [seg.start, seg.end]
            elif kind is not None:
                stays.append(_stay(seg.start, seg.end, kind))
        if night:
            stays.append(_stay(night[0], night[1], "sleep"))
        wake = plan[-1].end
    return _profile(stays, days)


def _stay(start: float, end: float, what: str) -> Stay:
    return Stay(start / 3600, (end - start) / 60, what)


def table(folder: Path | None) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    if folder is not None and folder.exists():
        for house in "ABC":
            out[f"vK house {house}"] = real_house(folder, house)
    for persona in PersonaName:
        out[f"sim {persona.value}"] = simulated(persona)
    return out


def render(rows: dict[str, dict[str, float]]) -> str:
    head = "| home | " + " | ".join(METRICS) + " |"
    sep = "|---" * (len(METRICS) + 1) + "|"
    lines = [head, sep]
    for name, m in rows.items():
        lines.append(f"| {name} | " + " | ".join(f"{m[k]:.1f}" for k in METRICS) + " |")
    return "\n".join(lines)
