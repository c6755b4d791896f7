"""A simulation: homes on one engine, a sink, a pace, and the devices' answers to commands."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import msgspec

from domain import contract
from domain.clock import Clock, SystemClock
from firmware_sim.accel import WindowSource
from firmware_sim.engine import Engine, Pacer
from firmware_sim.firmware import SeqStore
from firmware_sim.homes import SimHome
from firmware_sim.life import HomeLife
from firmware_sim.mqtt import Incoming
from firmware_sim.uplink import Sink

SISFALL = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "sisfall"
    / "sisfall_adxl345_int16.npz"
)
_COMMAND = msgspec.json.Decoder(contract.Command)


class Simulation:
    def __init__(
        self,
        homes: list[SimHome],
        sink: Sink,
        *,
        seed: int,
        start: float,
        windows: WindowSource | None = None,
        seq_store: SeqStore | None = None,
        commands: queue.SimpleQueue[Incoming] | None = None,
        indices: Sequence[int] | None = None,
    ) -> None:
        """`indices`: each home's place in the whole run (its random stream follows from it),
        when this simulation runs only some of the run's homes (a replay in several processes)."""
        places = list(range(len(homes))) if indices is None else list(indices)
        if len(places) != len(homes):
            raise ValueError("one index per home")
        self.engine = Engine(start)
        self.sink = sink
        self.store = seq_store or SeqStore()
        self.windows = windows or WindowSource(SISFALL)
        self.lives: dict[str, HomeLife] = {
            h.home_id: HomeLife(
                self.engine,
                h,
                sink,
                store=self.store,
                seed=seed * 1_000_003 + i,
                windows=self.windows,
            )
            for i, h in zip(places, homes, strict=True)
        }
        self.commands = commands
        self.answered = 0
        self._pacer: Pacer | None = None

    def start(self) -> None:
        for life in self.lives.values():
            life.start()
        if self.commands is not None:
            self.engine.at(self.engine.now + 1.0, self._poll)

    def _poll(self, t: float) -> None:
        assert self.commands is not None
        self.engine.at(t + 1.0, self._poll)
        while True:
            try:
                incoming = self.commands.get_nowait()
            except queue.Empty:
                return
            self.answer(incoming, t)

    def answer(self, incoming: Incoming, t: float) -> None:
        life = self.lives.get(incoming.home_id)
        fw = None if life is None else life.fw.get(incoming.device_id)
        if life is None or fw is None or not fw.alive:
            return
        try:
            cmd = _COMMAND.decode(incoming.payload)
        except msgspec.MsgspecError:
            return
        detail = ""
        if cmd.name == "report_version":
            detail = f"{fw.spec.model} {fw.spec.fw}"
        elif cmd.name == "reboot":
            life.announce(fw, False)
            fw.boot(t + 5.0, life.rng)
            self.engine.at(t + 5.0, lambda _now: life.announce(fw, True))
        msg = fw.event(t, contract.CommandResult, id=cmd.id, ok=True, detail=detail)
        life.send(fw, msg)
        self.answered += 1

    def run(
        self,
        seconds: float,
        *,
        speed: float | None = None,
        clock: Clock | None = None,
        stop: threading.Event | None = None,
        on_step: Callable[[float], None] | None = None,
    ) -> bool:
        """Advance `seconds` of simulated time; `speed` None runs as fast as possible."""
        pacer = None
        if speed is not None:  # one pacer for the whole run: stretches do not drift apart
            if self._pacer is None or self._pacer.speed != speed:
                wall = clock or SystemClock()
                self._pacer = Pacer(wall, speed, self.engine.now, wall.now())
            pacer = self._pacer
        return self.engine.run_until(
            self.engine.now + seconds, pacer=pacer, stop=stop, on_step=on_step
        )
