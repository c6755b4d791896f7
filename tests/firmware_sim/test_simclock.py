"""A month-old stretch through the real broker: `anju sim serve`'s clock follows the simulator.

Anju (`anju.wiring.build`, the same as `anju serve`) runs on a `SimClock` that the simulator
steps over the control topic; the simulated homes start 40 days ago, far outside ingest's 7-day
clock_past window measured on the wall clock. Every message must be accepted, the SOS and fall
must be alarms stamped with simulated time, and the clock must end where the simulation ended.
"""

from __future__ import annotations

import time
from pathlib import Path

from anju.settings import Settings
from anju.wiring import build
from broker.mosquitto import Mosquitto, free_port
from firmware_sim import scenario
from firmware_sim.alarms_source import from_state
from firmware_sim.mqtt import MqttSink
from firmware_sim.provision import provision
from firmware_sim.score import score
from firmware_sim.session import Session, scenario_homes
from firmware_sim.simclock import ClockFollower, ClockLeader, CountingSink, SimClock

DAY = 86400.0
STEPS = 12


def test_a_stretch_40_days_old_goes_through_the_broker_on_the_simulated_clock(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    start = (time.time() // 3600) * 3600 - 40 * DAY
    sc = scenario.load("demo")
    homes = scenario_homes(sc, 2, 4)
    settings = Settings(
        data_dir=tmp_path / "data",
        mqtt_port=mosquitto.port,
        http_port=free_port(),
        mqtt_client_id="simclock-ingest",
        escalation=False,
    )
    provision(homes, settings.resolved_state_url())
    clock = SimClock(start)
    anju = build(settings, clock=clock)
    detectors = CountingSink(anju.ingest.sink)
    anju.ingest.sink = detectors
    anju.start()
    follower = ClockFollower(
        clock,
        "127.0.0.1",
        mosquitto.port,
        handled=lambda: anju.ingest.stats.received,
        backlog=lambda: anju.ingest.queue_depth,
        settled=lambda: detectors.done >= anju.ingest.stats.accepted,
        tick=anju.registry.tick,
    ).start()
    sink = MqttSink("127.0.0.1", mosquitto.port, [h.home_id for h in homes], seed=4)
    sink.start()
    leader = ClockLeader("127.0.0.1", mosquitto.port, timeout_s=20.0)
    try:
        session = Session(sc, homes, sink, seed=4, start=start, speed=None)
        session.start()
        for _ in range(STEPS):  # 6 simulated minutes in 30 s steps
            session.run(30.0)
            assert leader.step(session.sim.engine.now, sink.published), "Anju did not follow"
        sink.flush(20.0)
    finally:
        leader.stop()
        sink.stop()
        follower.stop()
        anju.stop()
    stats = anju.ingest.stats
    assert stats.rejected == {}, stats.rejected  # no clock_past, no clock_future
    assert stats.accepted >= sink.published > 20
    assert follower.steps == STEPS and follower.timeouts == 0
    assert abs(clock.now() - (start + STEPS * 30.0)) < 1.0
    report = score(session.truth, from_state(settings.resolved_state_url()))
    assert report["per_type"]["sos"]["detected"] == 1
    # the SOS is stamped with Anju's clock, which lags the readings by at most one step
    assert -30.0 <= (report["per_type"]["sos"]["time_to_alarm_s"]["max"] or 0) <= 0.0
    assert report["per_type"]["fall"]["detected"] == 1
    alarms = from_state(settings.resolved_state_url())
    assert alarms and all(
        start * 1000 <= a.raised_ms <= (start + STEPS * 30.0) * 1000 for a in alarms
    )
