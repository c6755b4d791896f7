"""The demo's homes and life: a few Jinghong homes on a broker, an SOS within the first seconds.

`demo_homes` gives what the demo provisions in the state store; `run_demo` connects every home's
gateway to the broker (its own connection, with a Last Will) and lives in real time until `stop`.
The first home presses SOS within ~10 s, the second falls at ~40 s, the third presses SOS by
accident and cancels it at ~90 s; after that an incident comes every few minutes, round the homes.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from domain.clock import Clock, SystemClock
from firmware_sim import incidents
from firmware_sim.firmware import SeqStore
from firmware_sim.homes import SimHome, build_homes
from firmware_sim.life import HomeLife
from firmware_sim.mqtt import MqttSink
from firmware_sim.runner import Simulation

__all__ = ["SimHome", "demo_homes", "run_demo"]


def demo_homes(n: int, seed: int) -> list[SimHome]:
    return build_homes(n, seed)


def run_demo(
    host: str,
    port: int,
    homes: list[SimHome],
    *,
    speed: float = 1.0,
    seed: int,
    stop: threading.Event,
    protocol: str = "5",
    clock: Clock | None = None,
    seq_file: Path | None = None,
) -> None:
    """`seq_file` is the devices' flash: sequence numbers carry on after a restart of the demo
    (the contract never reuses one; ingest would drop a repeated seq as a duplicate)."""
    if not homes:
        return
    wall = clock or SystemClock()
    sink = MqttSink(
        host,
        port,
        [h.home_id for h in homes],
        protocol=protocol,
        seed=seed,
        client_prefix=f"anju-demo-{seed}",
    )
    sink.start()
    try:
        sim = Simulation(
            homes,
            sink,
            seed=seed,
            start=wall.now(),
            commands=sink.commands,
            seq_store=SeqStore(seq_file) if seq_file is not None else None,
        )
        sim.start()
        _schedule(sim, seed)
        while not stop.is_set():
            if not sim.run(3600.0, speed=speed, clock=wall, stop=stop):
                break
    finally:
        sim.store.flush()
        sink.flush(5.0)
        sink.stop()


def _schedule(sim: Simulation, seed: int) -> None:
    rng = np.random.default_rng(seed)
    lives = list(sim.lives.values())
    t0 = sim.engine.now
    first = lives[0]
    sim.engine.at(t0 + float(rng.uniform(6.0, 10.0)), lambda now: incidents.sos(first, now))
    cycle: list[Callable[[HomeLife, float], object]] = [
        lambda life, now: incidents.fall(life, now, lie_s=900.0, force_worn=True),
        lambda life, now: incidents.accidental_sos(life, now, 20.0),
        incidents.sos,
    ]
    when = t0 + 40.0
    for k in range(200):
        life = lives[(k + 1) % len(lives)]
        action = cycle[k % len(cycle)]
        sim.engine.at(when, functools.partial(action, life))
        when += 50.0 if k < 2 else float(rng.uniform(120.0, 300.0))
