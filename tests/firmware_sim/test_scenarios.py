"""Scenario files, the misbehaviour they name (checked by ingest's own gate), ground truth."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from domain.clock import ManualClock
from domain.rejects import Rejected
from firmware_sim import scenario
from firmware_sim.incidents import INCIDENTS
from firmware_sim.misbehave import MISBEHAVIOURS
from firmware_sim.provision import provision
from firmware_sim.session import Session, scenario_homes
from firmware_sim.truth import Truth
from firmware_sim.uplink import MemorySink
from ingest.directory import DeviceDirectory
from ingest.gate import Accepted, Gate
from ingest.ratelimit import RateLimiter
from stores.state.sql import SqlStateStore
from tests.firmware_sim.helpers import START


def test_every_shipped_scenario_loads_and_plans() -> None:
    names = scenario.available()
    assert {"demo", "detectors", "faults", "misbehaviour", "month", "load-10k"} <= set(names)
    for name in names:
        sc = scenario.load(name)
        planned = sc.plan(min(sc.homes, 200), START, seed=1)
        assert planned or name == "load-10k"
        assert all(p.kind in INCIDENTS or p.kind in MISBEHAVIOURS for p in planned)


def test_times_and_home_selection() -> None:
    assert scenario.parse_at("+90s", START) == START + 90
    assert scenario.parse_at("+2h", START) == START + 7200
    # START is 08:00 in Jinghong on day 1; "d2 07:30" is the next morning
    assert scenario.parse_at("d2 07:30", START) == START + 86400 - 1800
    with pytest.raises(ValueError):
        scenario.parse_at("tomorrow", START)
    sc = scenario.load("month")
    a, b = sc.plan(100, START, seed=3), sc.plan(100, START, seed=3)
    assert a == b and len({p.home_index for p in a if p.kind == "sos"}) == 10


def test_misbehaviour_gets_the_named_reject_and_good_traffic_passes(tmp_path: Path) -> None:
    sc = scenario.load("misbehaviour")
    homes = scenario_homes(sc, sc.homes, seed=2)
    url = f"sqlite:///{tmp_path / 'state.db'}"
    provision(homes, url)
    sink = MemorySink()
    session = Session(sc, homes, sink, seed=2, start=START, speed=None)
    sink.clock = lambda: session.sim.engine.now
    session.start()
    session.run(sc.days * 86400)
    store = SqlStateStore(url)
    clock = ManualClock(START)
    gate = Gate(DeviceDirectory(store, clock), RateLimiter(20.0, 600))
    reasons: Counter[str] = Counter()
    for s in sink.sent:
        clock.set(s.t)
        outcome = gate.check(s.topic, s.payload, int(s.t * 1000))
        reasons[outcome.reason.value if isinstance(outcome, Rejected) else "ok"] += 1
        assert isinstance(outcome, (Accepted, Rejected))
    store.close()
    sent = {i.kind: i.count for i in session.truth.items if i.misbehaviour}
    expected = {k: MISBEHAVIOURS[k].expect for k in sent}
    for kind, reason in expected.items():
        if kind == "flood":
            assert reasons[reason] >= sent[kind] - 650  # burst allowance (+refill) passes
        else:
            assert reasons[reason] >= sent[kind], (kind, reason, reasons)
    bad = sum(sent.values())
    assert reasons["ok"] >= len(sink.sent) - bad  # normal traffic is never rejected


def test_truth_round_trips(tmp_path: Path) -> None:
    sc = scenario.load("demo")
    homes = scenario_homes(sc, 5, seed=1)
    session = Session(sc, homes, MemorySink(), seed=1, start=START, speed=None)
    session.start()
    session.run(900)
    path = tmp_path / "truth.json"
    session.truth.save(path)
    again = Truth.load(path)
    assert again == session.truth
    assert [i.kind for i in again.items][:3] == ["sos", "fall", "accidental_sos"]
    assert again.items[0].expect == ["sos"] and again.items[0].t_ms == int((START + 8) * 1000)
