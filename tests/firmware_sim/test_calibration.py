"""Personas measured like the real van Kasteren homes (skips where ../shared/data is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from firmware_sim.calibration import real_house, simulated
from firmware_sim.people import PersonaName


@pytest.mark.vankasteren
def test_real_homes_measure_sensibly(vankasteren_path: Path) -> None:
    for house in "ABC":
        m = real_house(vankasteren_path, house)
        assert 6.0 <= m["sleep_h"] <= 10.0
        assert 1.5 <= m["toilet_per_day"] <= 6.0
        assert 0.5 <= m["shower_per_day"] <= 1.2


@pytest.mark.vankasteren
def test_personas_stay_within_what_real_homes_show(vankasteren_path: Path) -> None:
    real = [real_house(vankasteren_path, h) for h in "ABC"]
    lo = {k: min(r[k] for r in real) for k in real[0]}
    hi = {k: max(r[k] for r in real) for k in real[0]}
    for persona in PersonaName:
        m = simulated(persona, days=30)
        # counts: within the real homes' range, widened for age (nocturia, frailty)
        assert 0.8 * lo["toilet_per_day"] <= m["toilet_per_day"] <= 1.4 * hi["toilet_per_day"]
        assert 0.3 * lo["shower_per_day"] <= m["shower_per_day"] <= hi["shower_per_day"] * 1.1
        # nights: as long as the real ones or up to two hours longer, and earlier to bed
        assert lo["sleep_h"] - 0.5 <= m["sleep_h"] <= hi["sleep_h"] + 1.5
        assert m["bedtime_h"] < lo["bedtime_h"]
        assert m["out_per_day"] <= hi["out_per_day"]
