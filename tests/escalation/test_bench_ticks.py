"""The tick benchmark runs (small N) and its idle tick stays far under a millisecond."""

from __future__ import annotations

from benchmarks.escalation_ticks import WINDOW_S, ticks


def test_tick_figures_small() -> None:
    doc = ticks(200, idle_ticks=200, busy_s=30)
    assert doc["open_alarms"] == 200
    # stage 0 of the alarms raised in the first 30 s of the window, plus the stage-1 timers of
    # critical ones already due: at least the stage-0 share of the window
    assert doc["timers_fired"] >= 200 * 30 // WINDOW_S
    assert doc["idle_tick_median_us"] < 1000
    assert doc["ms_per_fired_timer"] > 0
