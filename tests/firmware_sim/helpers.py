"""Run a few simulated homes into memory on the simulated clock (no broker, no waiting)."""

from __future__ import annotations

from firmware_sim.homes import SimHome, build_homes
from firmware_sim.people import PersonaName
from firmware_sim.runner import Simulation
from firmware_sim.uplink import MemorySink

START = 1_767_225_600.0  # 2026-01-01T00:00:00Z = 08:00 in Jinghong


def simulate(
    n: int = 3,
    seconds: float = 86400.0,
    seed: int = 5,
    personas: list[PersonaName] | None = None,
    start: float = START,
) -> tuple[Simulation, MemorySink, list[SimHome]]:
    homes = build_homes(n, seed, personas=personas)
    sink = MemorySink()
    sim = Simulation(homes, sink, seed=seed, start=start)
    sink.clock = lambda: sim.engine.now
    sim.start()
    sim.run(seconds)
    return sim, sink, homes
