"""Offline replay: a scenario's messages through Anju's own gate, detectors and alarm service,
all on the simulated clock, then scored. No broker and no wall-clock waiting, so a month of many
homes takes minutes; the broker path is `anju sim run` + `anju sim score`.

Every message is checked by ingest's `Gate` (contract, directory, spoofing, rate limit, dedup)
with Anju's clock set to the simulated time it was sent, stored as a point in the time-series
store (in batches, as ingest does), and handed to the `DetectorRegistry` with the built-in
detectors, whose detections the real `AlarmService` turns into alarms in a SQLite state store. A
gateway's lost line is replayed as its Last Will would arrive (45 s later); a simulated operator
resolves every alarm half an hour after it was raised.

What differs from `anju serve`, and why (`ReplayOptions`): the detectors are ticked every
`tick_s` simulated seconds (serve: every wall second), the device directory is loaded once (no
one provisions during a replay), and the throw-away SQLite stores skip fsync (synchronous=OFF);
every alarm change is still its own transaction.
"""

from __future__ import annotations

import multiprocessing
import resource
import sys
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import msgspec

from domain.clock import ManualClock
from domain.contract import Availability
from domain.points import Point, to_point
from domain.rejects import Rejected
from domain.topics import topic
from firmware_sim.alarms_source import from_state
from firmware_sim.engine import Engine
from firmware_sim.operator import OperatorDesk
from firmware_sim.provision import provision
from firmware_sim.replay_store import ReplayStateStore
from firmware_sim.scenario import Scenario
from firmware_sim.score import score
from firmware_sim.session import Session, scenario_homes
from firmware_sim.truth import Truth

WILL_DELAY_S = 45.0  # keepalive 30 s x 1.5
OPERATOR_EVERY_S = 300.0


@dataclass(frozen=True)
class ReplayOptions:
    tick_s: float = 15.0  # simulated seconds between detector ticks (time to alarm +- this)
    slow_tick_s: float = 60.0  # the same for `SLOW` detectors (offline windows of 12 min+)
    directory_refresh_s: float = 1e12  # the replay's devices are all provisioned before it starts
    synchronous: str = "OFF"  # SQLite durability of the throw-away state and time-series stores
    batch: int = 1000  # points per time-series write (ingest: up to 1,000 per batch)
    blobs_behind: bool = True  # detectors' state blobs: one transaction per simulated hour


# what the replay did before it was tuned (benchmarks/sim_replay.py measures against it)
BEFORE = ReplayOptions(
    tick_s=5.0,
    slow_tick_s=5.0,
    directory_refresh_s=60.0,
    synchronous="FULL",
    batch=1,
    blobs_behind=False,
)
SLOW = frozenset({"supervision"})  # detectors whose timers run in tens of minutes
BLOBS_EVERY_S = 3600.0  # detectors' blobs reach SQLite once a simulated hour (and at the end)


class PipelineSink:
    def __init__(
        self, state_url: str, folder: Path, clock: ManualClock, options: ReplayOptions
    ) -> None:
        from alerts.feed import LocalFeed
        from alerts.service import AlarmService
        from detectors.registry import DetectorContext, DetectorRegistry, builtin_detectors
        from ingest.directory import DeviceDirectory
        from ingest.gate import Gate
        from ingest.ratelimit import RateLimiter
        from stores.state.sql import SqlStateStore
        from stores.timeseries.sqlite import SqliteTimeSeries

        self.clock = clock
        self.options = options
        self.state = (
            ReplayStateStore(state_url, synchronous=options.synchronous)
            if options.blobs_behind
            else SqlStateStore(state_url, synchronous=options.synchronous)
        )
        self.ts = SqliteTimeSeries(folder / "ts.db", synchronous=options.synchronous)
        directory = DeviceDirectory(self.state, clock, refresh_s=options.directory_refresh_s)
        self.gate = Gate(directory, RateLimiter(20.0, 600))
        self.desk = OperatorDesk(LocalFeed())
        self.alarms = AlarmService(self.state, self.desk, clock)
        ctx = DetectorContext(self.state, self.ts, clock)
        detectors = builtin_detectors(ctx)
        self.registry = DetectorRegistry(self.alarms, clock, detectors)  # every message
        # ticks: SOS, fall and activity every `tick_s`, supervision every `slow_tick_s`
        self.fast = DetectorRegistry(
            self.alarms, clock, [d for d in detectors if d.name not in SLOW]
        )
        self.slow = DetectorRegistry(self.alarms, clock, [d for d in detectors if d.name in SLOW])
        self.engine: Engine | None = None
        self.outcomes: Counter[str] = Counter()
        self.published = 0
        self.points: list[Point] = []

    def start(self, engine: Engine) -> None:
        self.engine = engine
        engine.at(engine.now + self.options.tick_s, self.tick)
        engine.at(engine.now + self.options.slow_tick_s, self.tick_slow)
        engine.at(engine.now + OPERATOR_EVERY_S, self.operator)
        engine.at(engine.now + BLOBS_EVERY_S, self.save_blobs)

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
        point = to_point(outcome.message)  # ingest stores a batch before the detectors see it
        if point is not None:
            self.points.append(point)
            if len(self.points) >= self.options.batch:
                self.flush()
        self.registry.accept([(outcome.message, outcome.device)])

    def flush(self) -> None:
        if self.points:
            self.ts.write(self.points)
            self.points = []

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
        self.fast.tick()
        self.engine.at(t + self.options.tick_s, self.tick)

    def tick_slow(self, t: float) -> None:
        assert self.engine is not None
        self.clock.set(t)
        self.slow.tick()
        self.engine.at(t + self.options.slow_tick_s, self.tick_slow)

    def save_blobs(self, t: float) -> None:
        assert self.engine is not None
        if isinstance(self.state, ReplayStateStore):
            self.state.flush()
        self.engine.at(t + BLOBS_EVERY_S, self.save_blobs)

    def operator(self, t: float) -> None:
        assert self.engine is not None
        self.clock.set(t)
        self.desk.resolve_due(self.alarms, int(t * 1000))
        self.engine.at(t + OPERATOR_EVERY_S, self.operator)

    def close(self) -> None:
        self.flush()
        self.ts.close()
        self.state.close()


@dataclass(frozen=True)
class Part:
    """What one process of a replay did: its homes' truth, alarms and counts."""

    truth: Truth
    state_url: str
    messages: int
    gate: dict[str, int]
    blob_writes: int
    max_rss_mb: float


def run_part(
    sc: Scenario,
    n: int,
    days: float,
    *,
    seed: int,
    start: float,
    folder: Path,
    options: ReplayOptions,
    only: Sequence[int] | None = None,
) -> Part:
    """Replay the run's homes `only` (all by default) in this process, into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("state.db", "ts.db"):  # a replay starts from empty stores, never a mix of runs
        for suffix in ("", "-wal", "-shm"):
            (folder / f"{name}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{folder / 'state.db'}"
    homes = scenario_homes(sc, n, seed)
    mine = homes if only is None else [homes[i] for i in sorted(set(only))]
    provision(mine, url, synchronous=options.synchronous)
    clock = ManualClock(start)
    sink = PipelineSink(url, folder, clock, options)
    session = Session(sc, homes, sink, seed=seed, start=start, speed=None, only=only)
    sink.start(session.sim.engine)
    session.start()
    wall0, done, total = time.perf_counter(), 0.0, days * 86400.0
    while done < total:  # a simulated day at a time, with a line on stderr for long runs
        chunk = min(86400.0, total - done)
        session.run(chunk)
        done += chunk
        if total > 86400.0:
            print(
                f"{folder.name}: {done / 86400:.0f}/{days:g} days, {sink.published} messages,"
                f" {time.perf_counter() - wall0:.0f} s",
                file=sys.stderr,
                flush=True,
            )
    sink.close()
    session.truth.save(folder / "truth.json")
    return Part(
        truth=session.truth,
        state_url=url,
        messages=sink.published,
        gate=dict(sink.outcomes),
        blob_writes=sink.state.blob_writes if isinstance(sink.state, ReplayStateStore) else 0,
        max_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    )


def replay(
    sc: Scenario,
    n: int,
    days: float,
    *,
    seed: int,
    start: float,
    folder: Path,
    options: ReplayOptions | None = None,
    workers: int = 1,
) -> dict[str, Any]:
    """Replay and score. With `workers` > 1 the homes are dealt out to that many processes
    (home i to process i mod workers), each with its own stores in `folder/part-<k>`; every
    home lives and meets its incidents exactly as in a single process, since homes share
    nothing in Anju's pipeline but the process."""
    options = options or ReplayOptions()
    workers = max(1, min(workers, n))
    if workers == 1:
        parts = [run_part(sc, n, days, seed=seed, start=start, folder=folder, options=options)]
    else:
        ctx = multiprocessing.get_context("spawn")  # a clean interpreter: no inherited threads
        with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
            futures = [
                pool.submit(
                    run_part,
                    sc,
                    n,
                    days,
                    seed=seed,
                    start=start,
                    folder=folder / f"part-{k}",
                    options=options,
                    only=range(k, n, workers),
                )
                for k in range(workers)
            ]
            parts = [f.result() for f in futures]
    truth = merge_truths([p.truth for p in parts])
    truth.save(folder / "truth.json")
    alarms = [a for p in parts for a in from_state(p.state_url)]
    report = score(truth, alarms)
    report["messages"] = sum(p.messages for p in parts)
    gate: Counter[str] = Counter()
    for p in parts:
        gate.update(p.gate)
    report["gate"] = dict(gate)
    report["sisfall"] = truth.sisfall
    report["tick_s"] = options.tick_s
    report["workers"] = workers
    report["state_urls"] = [p.state_url for p in parts]
    report["max_rss_mb"] = max(p.max_rss_mb for p in parts)  # per process
    return report


def merge_truths(truths: Sequence[Truth]) -> Truth:
    first = truths[0]
    homes = [h for t in truths for h in t.homes]
    items = sorted((i for t in truths for i in t.items), key=lambda i: (i.t_ms, i.id))
    return replace(
        first,
        homes=homes,
        items=items,
        start_ms=min(t.start_ms for t in truths),
        end_ms=max(t.end_ms for t in truths),
    )
