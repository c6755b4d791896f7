"""Personas: how the residents of simulated homes differ, as numbers a day plan is drawn from.

Counts and durations (toilet visits, showers, sleep length, meal preparation, outings) start from
the three real homes of van Kasteren (`firmware_sim.calibration` measures them; docs/simulator.md
has the table). Those residents were young adults who went to bed after midnight, so the clock
anchors (wake, bed, meals) are moved to the hours older people keep; each persona then changes
what makes it itself (a nap, long bathroom visits, night wandering, daily outings).
Times of day are local hours; durations are minutes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum


class PersonaName(StrEnum):
    EARLY_RISER = "early_riser"
    NAPPER = "napper"  # 85 years old, naps in the afternoon
    DEMENTIA = "dementia"  # wanders at night
    FRAIL = "frail"  # long bathroom visits
    OUTGOER = "outgoer"  # goes out most days


@dataclass(frozen=True, slots=True)
class Persona:
    name: PersonaName
    age: int
    wake_h: float  # mean wake-up hour
    wake_sd_h: float
    bed_h: float  # mean bedtime (hour, may be > 24)
    bed_sd_h: float
    toilet_per_day: float  # daytime toilet visits (van Kasteren: 1.9-4.9 a day)
    toilet_min: float  # median visit (van Kasteren: ~1 min of flushing; older people stay longer)
    night_toilet: float  # mean bathroom trips per night (nocturia rises with age)
    shower_per_day: float  # van Kasteren: 0.77-0.89
    shower_min: float  # van Kasteren median: 6-10 min
    breakfast_h: float
    lunch_h: float
    dinner_h: float
    cook_min: float  # lunch / dinner preparation (van Kasteren dinner: 12-36 min)
    out_prob: float  # chance of a morning outing (weekday)
    out_pm_prob: float  # chance of an afternoon outing
    out_min: float  # median outing
    weekend_out_factor: float
    nap_prob: float
    nap_min: float
    wander_prob: float  # nights with wandering
    visitor_prob: float  # days with a visitor (weekends x2)
    pendant_worn: float  # share of waking hours the pendant is worn
    rest_hr: float  # resting heart rate, bpm


_BASE = Persona(
    name=PersonaName.EARLY_RISER,
    age=74,
    wake_h=6.0,
    wake_sd_h=0.35,
    bed_h=21.5,
    bed_sd_h=0.4,
    toilet_per_day=5.0,
    toilet_min=4.0,
    night_toilet=1.0,
    shower_per_day=0.8,
    shower_min=12.0,
    breakfast_h=6.6,
    lunch_h=11.6,
    dinner_h=17.6,
    cook_min=30.0,
    out_prob=0.55,
    out_pm_prob=0.2,
    out_min=90.0,
    weekend_out_factor=0.8,
    nap_prob=0.2,
    nap_min=40.0,
    wander_prob=0.0,
    visitor_prob=0.12,
    pendant_worn=0.9,
    rest_hr=68.0,
)

PERSONAS: dict[PersonaName, Persona] = {
    PersonaName.EARLY_RISER: _BASE,
    PersonaName.NAPPER: replace(
        _BASE,
        name=PersonaName.NAPPER,
        age=85,
        wake_h=7.0,
        wake_sd_h=0.6,
        bed_h=21.0,
        toilet_min=5.0,
        night_toilet=1.8,
        shower_per_day=0.5,
        out_prob=0.25,
        out_pm_prob=0.05,
        out_min=60.0,
        nap_prob=0.9,
        nap_min=100.0,
        visitor_prob=0.2,
        rest_hr=74.0,
    ),
    PersonaName.DEMENTIA: replace(
        _BASE,
        name=PersonaName.DEMENTIA,
        age=81,
        wake_h=7.5,
        wake_sd_h=1.2,
        bed_h=21.0,
        bed_sd_h=1.0,
        night_toilet=1.5,
        out_prob=0.15,
        out_pm_prob=0.1,
        out_min=50.0,
        nap_prob=0.6,
        nap_min=70.0,
        wander_prob=0.35,
        visitor_prob=0.3,
        pendant_worn=0.6,
        rest_hr=72.0,
    ),
    PersonaName.FRAIL: replace(
        _BASE,
        name=PersonaName.FRAIL,
        age=88,
        wake_h=7.2,
        bed_h=20.8,
        toilet_per_day=6.0,
        toilet_min=14.0,
        night_toilet=2.2,
        shower_per_day=0.35,
        shower_min=25.0,
        cook_min=20.0,
        out_prob=0.1,
        out_pm_prob=0.02,
        out_min=45.0,
        nap_prob=0.7,
        nap_min=90.0,
        visitor_prob=0.35,
        rest_hr=78.0,
    ),
    PersonaName.OUTGOER: replace(
        _BASE,
        name=PersonaName.OUTGOER,
        age=68,
        wake_h=6.5,
        bed_h=22.2,
        night_toilet=0.6,
        out_prob=0.85,
        out_pm_prob=0.55,
        out_min=150.0,
        weekend_out_factor=1.1,
        nap_prob=0.1,
        visitor_prob=0.1,
        rest_hr=64.0,
    ),
}


def persona(name: str) -> Persona:
    return PERSONAS[PersonaName(name)]
