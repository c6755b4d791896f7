"""Against a real Mosquitto: Last Will on a gateway's lost line, reconnect, store-and-forward,
and an accelerated `anju sim run` whose every message reaches the broker exactly once."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import msgspec
import pytest

from anju.cli import main
from broker.mosquitto import Mosquitto
from firmware_sim import incidents
from firmware_sim.homes import build_homes
from firmware_sim.mqtt import MqttSink
from firmware_sim.runner import Simulation
from tests.firmware_sim.observer import Observer


def test_lost_line_fires_the_last_will_then_the_gateway_forwards(mosquitto: Mosquitto) -> None:
    homes = build_homes(2, 3)
    observer = Observer(mosquitto.port)
    sink = MqttSink("127.0.0.1", mosquitto.port, [h.home_id for h in homes], seed=3)
    sink.start()
    try:
        # 09:00 local (UTC+8) yesterday: the residents are up. From "two hours ago" the run
        # depended on the hour CI ran at: at night nobody moves in the last 200 s it checks.
        now = time.time()
        start = now - (now + 8 * 3600) % 86_400 - 86_400 + 9 * 3600
        sim = Simulation(homes, sink, seed=3, start=start)
        sim.start()
        sim.run(600)
        life = sim.lives[homes[0].home_id]
        incidents.gateway_outage(life, sim.engine.now, duration_s=1200)
        will_topic = f"anju/v1/{homes[0].home_id}/{homes[0].home_id}-gw/availability"
        deadline = time.time() + 10
        wills: list[object] = []
        while time.time() < deadline and not wills:
            wills = [
                s for s in observer.snapshot() if s.topic == will_topic and b"offline" in s.payload
            ]
            time.sleep(0.1)
        assert wills, "the broker did not send the gateway's Last Will"
        during = len(observer.snapshot())
        sim.run(1300)  # the outage ends inside this stretch; the buffer is forwarded
        assert sink.flush(20)
        time.sleep(1.0)
        seen = observer.snapshot()
        assert len(seen) > during
        home0 = [
            s for s in seen if f"/{homes[0].home_id}/" in s.topic and "/availability" not in s.topic
        ]
        stamps = [msgspec.json.decode(s.payload)["ts"] for s in home0]
        assert stamps and max(stamps) > (sim.engine.now - 200) * 1000  # back online and live
    finally:
        sink.stop()
        observer.close()


def test_accelerated_cli_run_every_message_once(
    mosquitto: Mosquitto, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    observer = Observer(mosquitto.port)
    truth = tmp_path / "truth.json"
    argv = ["sim", "run", "faults", "--homes", "3", "--days", "0.5", "--speed", "max"]
    argv += ["--port", str(mosquitto.port), "--truth", str(truth), "--json", "--no-progress"]
    argv += ["--connections", "2", "--start", "2026-01-10T06:00:00+08:00"]
    try:
        assert main(argv) == 0
        figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        deadline = time.time() + 20
        while time.time() < deadline and len(observer.snapshot()) < figures["messages"]:
            time.sleep(0.2)
        seen = observer.snapshot()
    finally:
        observer.close()
    assert figures["messages"] > 1000 and figures["homes"] == 3
    assert len(seen) == figures["messages"]
    keys = Counter(
        (s.topic, msgspec.json.decode(s.payload).get("seq"))
        for s in seen
        if "/availability" not in s.topic
    )
    assert max(keys.values()) == 1  # no duplicates on the wire
    doc = json.loads(truth.read_text())
    assert {i["kind"] for i in doc["items"]} >= {"dead_battery", "device_offline"}


def test_gateways_reconnect_after_the_broker_restarts(mosquitto: Mosquitto) -> None:
    homes = build_homes(3, 5)
    sink = MqttSink("127.0.0.1", mosquitto.port, [h.home_id for h in homes], seed=5)
    sink.start()
    try:
        sim = Simulation(homes, sink, seed=5, start=time.time() - 3600)
        sim.start()
        sim.run(300)
        assert sink.flush(10)
        mosquitto.kill()
        deadline = time.time() + 10
        while time.time() < deadline and any(c.connected.is_set() for c in sink.conns):
            time.sleep(0.1)
        assert not any(c.connected.is_set() for c in sink.conns)
        sim.run(300)  # published while the broker is away: paho keeps the QoS 1 messages
        mosquitto.start()
        observer = Observer(mosquitto.port)
        try:
            deadline = time.time() + 60
            while time.time() < deadline and not all(c.connected.is_set() for c in sink.conns):
                time.sleep(0.2)
            assert all(c.connected.is_set() for c in sink.conns), "no reconnect within 60 s"
            assert sink.flush(30), "messages from the outage were not delivered"
            sim.run(120)
            assert sink.flush(10)
            time.sleep(0.5)
            assert any("/reading" in s.topic for s in observer.snapshot())
        finally:
            observer.close()
    finally:
        sink.stop()
