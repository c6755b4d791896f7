"""Offline replay: a scenario's messages through Anju's own gate, detectors and alarm service,
all on the simulated clock, then scored. No broker and no wall-clock waiting, so a month of many
homes takes minutes; the broker path is `anju sim run` + `anju sim score`.

Every message is checked by ingest's `Gate` (contract, directory, spoofing, rate limit, dedup)
with Anju's clock set to the simulated time it was sent, handed to the `DetectorRegistry` with
the built-in detectors, whose detections the real `AlarmService` turns into alarms in a SQLite
state store. A gateway's lost line is replayed as its Last Will would arrive (45 s later); a
simulated operator resolves every alarm half an hour after it was raised.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import msgspec

from domain.clock import ManualClock
from domain.contract import Availability
from domain.rejects import Rejected
from domain.topics import topic
from firmware_sim.alarms_source import from_state
from firmware_sim.engine import Engine
from firmware_sim.provision import provision
from firmware_sim.scenario import Scenario
from firmware_sim.score import score
from firmware_sim.session import Session, scenario_homes

TICK_S = 5.0
WILL_DELAY_S = 45.0  # keepalive 30 s x 1.5
OPERATOR_EVERY_S = 300.0
OPERATOR_RESOLVES_AFTER_S = 1800.0  # the call centre closes an alarm half an hour after it came


class PipelineSink:
    def __init__(self, state_url: str, folder: Path, clock: ManualClock) -> None:
        from alerts.feed import LocalFeed
        from alerts.service import AlarmService
        from detectors.registry import DetectorContext, DetectorRegistry, builtin_detectors
        from ingest.directory import DeviceDirectory
        from ingest.gate import Gate
        from ingest.ratelimit import RateLimiter
        from stores.state.sql import SqlStateStore
        from stores.timeseries.sqlite import SqliteTimeSeries

        self.clock = clock
        self.state = SqlStateStore(state_url)
        self.ts = SqliteTimeSeries(folder / "ts.db", synchronous="OFF")
        self.gate = Gate(DeviceDirectory(self.state, clock), RateLimiter(20.0, 600))
        self.alarms = AlarmService(self.state, LocalFeed(), clock)
        ctx = DetectorContext(self.state, self.ts, clock)
        self.registry = DetectorRegistry(self.alarms, clock, builtin_detectors(ctx))
        self.engine: Engine | None = None
        self.outcomes: Counter[str] = Counter()
        self.published = 0

    def _now(self) -> float:
        return self.clock.now() if self.engine is None else self.engine.now

    def publish(
        self, home_id: str, topic_name: str, payload: bytes, qos: int, retain: bool
    ) -> None:
        now = self._now()
        self.clock.set(now)
        self.published += 1
        outcome = self.gate.check(topic_name, payload, int(now * 1000))
        if isinstance(outcome, Rejected):
            self.outcomes[outcome.reason.value] += 1
            return
        self.outcomes["accepted"] += 1
        self.registry.accept([(outcome.message, outcome.device)])

    def home_down(self, home_id: str) -> None:
        if self.engine is None:
            return
        will = msgspec.json.encode(Availability(state="offline"))
        name = topic(home_id, f"{home_id}-gw", "availability")
        self.engine.after(WILL_DELAY_S, lambda _t: self.publish(home_id, name, will, 1, True))

    def home_up(self, home_id: str) -> None:
        return None

    def tick(self, t: float) -> None:
        assert self.engine is not None
        self.clock.set(t)
        self.registry.tick()
        self.engine.at(t + TICK_S, self.tick)

    def operator(self, t: float) -> None:
        """The call centre: resolves each alarm half an hour after it was raised, so a later
        incident opens a new alarm instead of repeating a stale one (one open per home/type)."""
        assert self.engine is not None
        self.clock.set(t)
        cutoff = int((t - OPERATOR_RESOLVES_AFTER_S) * 1000)
        for alarm in self.alarms.list(open_only=True, limit=100_000):
            if alarm.raised_ms <= cutoff:
                self.alarms.resolve(alarm.alarm_id, "user:sim-operator", "other", "replay")
        self.engine.at(t + OPERATOR_EVERY_S, self.operator)

    def close(self) -> None:
        self.state.close()


def replay(
    sc: Scenario, n: int, days: float, *, seed: int, start: float, folder: Path
) -> dict[str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'state.db'}"
    homes = scenario_homes(sc, n, seed)
    provision(homes, url)
    clock = ManualClock(start)
    sink = PipelineSink(url, folder, clock)
    session = Session(sc, homes, sink, seed=seed, start=start, speed=None)
    sink.engine = session.sim.engine
    session.start()
    session.sim.engine.at(start + TICK_S, sink.tick)
    session.sim.engine.at(start + OPERATOR_EVERY_S, sink.operator)
    session.run(days * 86400.0)
    sink.close()
    session.truth.save(folder / "truth.json")
    report = score(session.truth, from_state(url))
    report["messages"] = sink.published
    report["gate"] = dict(sink.outcomes)
    report["sisfall"] = session.windows.real
    return report
