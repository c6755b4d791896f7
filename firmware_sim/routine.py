"""A resident's day as a list of segments: where they are and what they do, from wake to wake.

Pure and seeded. `plan_day` is called once per simulated day per resident; gaps between the
anchored activities (meals, outings, nap) fill with sitting in the living room broken by toilet
visits and drinks, at the persona's rates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from firmware_sim.people import Persona

HOUR = 3600.0
MIN = 60.0

# places: rooms with a PIR, "bed" (bedroom, on the mat), "out", "floor" (after a collapse)
BED = "bed"
OUT = "out"


@dataclass(frozen=True, slots=True)
class Segment:
    start: float
    end: float
    place: str  # bathroom, kitchen, entrance, bedroom, living_room, bed, out, floor
    activity: str  # sleep, nap, toilet, shower, wash, cook, eat, sit, drink, leave, return, ...


class _Builder:
    def __init__(self, t: float, rng: np.random.Generator, p: Persona) -> None:
        self.t = t
        self.rng = rng
        self.p = p
        self.segments: list[Segment] = []

    def add(self, place: str, seconds: float, activity: str) -> None:
        d = max(20.0, float(seconds))
        self.segments.append(Segment(self.t, self.t + d, place, activity))
        self.t += d

    def minutes(self, median: float, spread: float = 0.35) -> float:
        return float(median * MIN * self.rng.lognormal(0.0, spread))

    def toilet(self, factor: float = 1.0) -> None:
        self.add("bathroom", self.minutes(self.p.toilet_min * factor, 0.5), "toilet")

    def fill_until(self, end: float) -> None:
        """Living room, broken by toilet visits and drinks at the persona's daytime rate."""
        mean_gap = 15.0 * HOUR / max(self.p.toilet_per_day, 0.5)
        while self.t < end - 60.0:
            gap = float(self.rng.exponential(mean_gap))
            sit_end = min(self.t + gap, end)
            self.add("living_room", sit_end - self.t, "sit")
            if self.t >= end - 60.0:
                break
            self.toilet()
            if self.rng.random() < 0.3:
                self.add("kitchen", self.minutes(1.5), "drink")

    def outing(self, median_min: float) -> None:
        self.add("entrance", self.minutes(1.0, 0.3), "leave")
        self.add(OUT, self.minutes(median_min, 0.45), "out")
        self.add("entrance", self.minutes(1.0, 0.3), "return")

    def meal(self, cook_min: float, eat_min: float) -> None:
        self.add("kitchen", self.minutes(cook_min, 0.3), "cook")
        self.add("living_room", self.minutes(eat_min, 0.3), "eat")


def plan_day(p: Persona, wake_t: float, day0: float, rng: np.random.Generator) -> list[Segment]:
    """Segments from `wake_t` to the next morning's wake-up; `day0` is local midnight today."""
    b = _Builder(wake_t, rng, p)
    weekday = int((day0 // 86400 + 3) % 7)  # 0 = Monday (1970-01-01 was a Thursday)
    weekend = weekday >= 5
    out_factor = p.weekend_out_factor if weekend else 1.0
    visitor_p = p.visitor_prob * (2.0 if weekend else 1.0)

    def hour(h: float, sd: float = 0.25) -> float:
        return day0 + (h + float(rng.normal(0.0, sd))) * HOUR

    b.add("bedroom", b.minutes(4.0), "dress")
    b.toilet()
    b.add("bathroom", b.minutes(6.0), "wash")
    shower_morning = rng.random() < p.shower_per_day * 0.6
    if shower_morning:
        b.add("bathroom", b.minutes(p.shower_min), "shower")
    b.fill_until(hour(p.breakfast_h))
    b.meal(12.0, 15.0)
    if rng.random() < p.out_prob * out_factor:
        b.fill_until(hour(8.6, 0.5))
        b.outing(p.out_min)
    b.fill_until(hour(p.lunch_h))
    b.meal(p.cook_min, 25.0)
    if rng.random() < p.nap_prob:
        b.fill_until(hour(13.0, 0.3))
        b.add("bedroom", 60.0, "pass")
        b.add(BED, b.minutes(p.nap_min, 0.3), "nap")
    if rng.random() < visitor_p:
        b.fill_until(hour(15.0, 0.8))
        b.add("entrance", 60.0, "visitor")
        b.add("living_room", b.minutes(70.0, 0.4), "visit")
        b.add("entrance", 60.0, "visitor")
    elif rng.random() < p.out_pm_prob * out_factor:
        b.fill_until(hour(15.0, 0.6))
        b.outing(p.out_min * 0.8)
    b.fill_until(hour(p.dinner_h))
    b.meal(p.cook_min, 25.0)
    if not shower_morning and rng.random() < p.shower_per_day * 0.5:
        b.add("bathroom", b.minutes(p.shower_min), "shower")
    b.fill_until(hour(p.bed_h, p.bed_sd_h))
    b.add("bathroom", b.minutes(5.0), "wash")
    b.add("bedroom", b.minutes(3.0), "pass")
    _night(b, p, day0 + 86400.0 + (p.wake_h + float(rng.normal(0, p.wake_sd_h))) * HOUR, rng)
    return b.segments


def _night(b: _Builder, p: Persona, wake: float, rng: np.random.Generator) -> None:
    """In bed until `wake`, with bathroom trips and, for some, wandering."""
    wake = max(wake, b.t + 4 * HOUR)
    events: list[tuple[float, str]] = []
    for _ in range(int(rng.poisson(p.night_toilet))):
        events.append((float(rng.uniform(b.t + 0.5 * HOUR, wake - 0.5 * HOUR)), "toilet"))
    if rng.random() < p.wander_prob:
        events.append((float(rng.uniform(b.t + 2 * HOUR, wake - HOUR)), "wander"))
    for when, what in sorted(events):
        if when <= b.t + 10 * MIN:
            continue
        b.add(BED, when - b.t, "sleep")
        if what == "toilet":
            b.toilet(1.4)
            b.add("bedroom", 30.0, "pass")
        else:
            for place in ("living_room", "kitchen", "entrance", "living_room"):
                b.add(place, b.minutes(4.0, 0.6), "wander")
            b.add("bedroom", 40.0, "pass")
    b.add(BED, max(wake - b.t, 30 * MIN), "sleep")
