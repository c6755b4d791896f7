"""A scenario run: homes, simulation, incidents and misbehaviour on schedule, ground truth."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from domain.clock import Clock
from firmware_sim import incidents, misbehave
from firmware_sim.accel import WindowSource
from firmware_sim.firmware import SeqStore
from firmware_sim.homes import SimHome, build_homes
from firmware_sim.runner import SISFALL, Simulation
from firmware_sim.scenario import Planned, Scenario
from firmware_sim.truth import Truth, TruthItem
from firmware_sim.uplink import Sink

HOME_PREFIX = "jh"


def scenario_homes(sc: Scenario, n: int, seed: int) -> list[SimHome]:
    return build_homes(n, seed, personas=sc.personas, prefix=HOME_PREFIX)


class Session:
    def __init__(
        self,
        sc: Scenario,
        homes: list[SimHome],
        sink: Sink,
        *,
        seed: int,
        start: float,
        speed: float | None,
        windows: WindowSource | None = None,
        seq_store: SeqStore | None = None,
        sim: Callable[..., Simulation] = Simulation,
        only: Sequence[int] | None = None,
        **sim_kwargs: object,
    ) -> None:
        """`only`: run just these of the scenario's `homes` (by index), with the same lives and
        incidents as in a run of all of them (a replay split over processes)."""
        self.sc = sc
        self.windows = windows or WindowSource(SISFALL)
        places = list(range(len(homes))) if only is None else sorted(set(only))
        if only is not None:
            sim_kwargs["indices"] = places
        self.sim = sim(
            [homes[i] for i in places],
            sink,
            seed=seed,
            start=start,
            windows=self.windows,
            seq_store=seq_store,
            **sim_kwargs,
        )
        self.speed = speed
        self.homes = homes
        self.truth = Truth(
            scenario=sc.name,
            seed=seed,
            homes=[homes[i].home_id for i in places],
            start_ms=int(start * 1000),
            end_ms=int(start * 1000),
            speed=speed,
            sisfall=self.windows.real,
        )
        chosen = set(places)
        # (place in the whole run's plan, incident): truth ids do not depend on `only`
        self.planned = [
            (k, p) for k, p in enumerate(sc.plan(len(homes), start, seed)) if p.home_index in chosen
        ]
        self.sent_bad = 0

    def start(self) -> None:
        self.sim.start()
        for k, p in self.planned:
            self.sim.engine.at(p.t, lambda now, p=p, k=k: self._fire(k, p, now))  # type: ignore[misc]

    def _fire(self, k: int, p: Planned, now: float) -> None:
        life = self.sim.lives[self.homes[p.home_index].home_id]
        count = 0
        expect, within, note = p.expect, p.within_s, ""
        if p.misbehaviour:
            count = misbehave.MISBEHAVIOURS[p.kind].run(life, now, p.count)
            self.sent_bad += count
        else:
            outcome = incidents.apply(life, p.kind, now, p.params)
            if outcome is not None:
                note = outcome.note
                expect = p.expect if outcome.expect is None else outcome.expect
                within = p.within_s if outcome.within_s is None else outcome.within_s
        self.truth.items.append(
            TruthItem(
                id=f"{k:05d}-{p.kind}-{life.home.home_id}",
                kind=p.kind,
                home_id=life.home.home_id,
                t_ms=int(now * 1000),
                expect=list(expect),
                within_s=within,
                allow=list(p.allow),
                misbehaviour=p.misbehaviour,
                count=count,
                note=note,
            )
        )

    def run(
        self,
        seconds: float,
        *,
        clock: Clock | None = None,
        stop: threading.Event | None = None,
        on_step: Callable[[float], None] | None = None,
    ) -> bool:
        done = self.sim.run(seconds, speed=self.speed, clock=clock, stop=stop, on_step=on_step)
        self.truth.end_ms = int(self.sim.engine.now * 1000)
        return done
