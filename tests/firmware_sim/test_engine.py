"""The simulated clock: flat out without waiting, or paced to an injected wall clock."""

from __future__ import annotations

import threading

from domain.clock import ManualClock
from firmware_sim.engine import Engine, Pacer


def test_accelerated_runs_in_order_without_touching_a_clock() -> None:
    engine = Engine(1000.0)
    seen: list[float] = []
    for t in (1005.0, 1001.0, 1003.0, 5000.0):
        engine.at(t, seen.append)
    assert engine.run_until(2000.0)
    assert seen == [1001.0, 1003.0, 1005.0] and engine.now == 2000.0 and len(engine) == 1


def test_paced_events_happen_at_their_wall_time() -> None:
    wall = ManualClock(50.0)
    engine = Engine(1000.0)
    at_wall: list[tuple[float, float]] = []
    for t in (1001.0, 1010.0, 1030.0):
        engine.at(t, lambda now: at_wall.append((now, wall.now())))

    def wait(seconds: float) -> bool:
        wall.advance(seconds)
        return False

    pacer = Pacer(wall, speed=2.0, sim_start=1000.0, wall_start=50.0)
    assert engine.run_until(1040.0, pacer=pacer, wait=wait)
    assert at_wall == [(1001.0, 50.5), (1010.0, 55.0), (1030.0, 65.0)]
    assert wall.now() == 70.0  # the stretch ends when the wall clock reaches its end


def test_stop_ends_a_paced_run() -> None:
    wall = ManualClock(0.0)
    engine = Engine(0.0)
    engine.at(100.0, lambda _now: None)
    stop = threading.Event()
    stop.set()
    assert not engine.run_until(200.0, pacer=Pacer(wall, 1.0, 0.0, 0.0), stop=stop)
