"""The demo's homes and its live run against a real Mosquitto."""

from __future__ import annotations

import threading
import time

import msgspec

from broker.mosquitto import Mosquitto
from domain.decode import Message, decode
from domain.model import DeviceKind, Room
from domain.topics import valid_id
from firmware_sim.demo import demo_homes, run_demo
from tests.firmware_sim.observer import Observer


def test_demo_homes_are_deterministic_and_complete() -> None:
    a, b = demo_homes(4, seed=3), demo_homes(4, seed=3)
    assert [h.home.address for h in a] == [h.home.address for h in b]
    assert demo_homes(4, seed=4)[0].home.address != a[0].home.address
    for h in a:
        assert h.home.community_id == "jinghong-01"
        assert "景洪市" in h.home.address
        assert len(h.residents) == 1 and h.residents[0].home_id == h.home_id
        ids = [d.device_id for d in h.devices]
        assert len(set(ids)) == len(ids) and all(valid_id(i) for i in ids)
        rooms = {d.room for d in h.devices if d.kind is DeviceKind.MOTION}
        assert rooms == {Room.BATHROOM, Room.KITCHEN, Room.ENTRANCE, Room.BEDROOM, Room.LIVING_ROOM}
        kinds = {d.kind for d in h.devices}
        assert {
            DeviceKind.PENDANT,
            DeviceKind.DOOR,
            DeviceKind.BED,
            DeviceKind.ENVIRONMENT,
        } <= kinds


def test_run_demo_presses_sos_quickly_and_speaks_the_contract(mosquitto: Mosquitto) -> None:
    homes = demo_homes(3, seed=11)
    observer = Observer(mosquitto.port)
    stop = threading.Event()
    runner = threading.Thread(
        target=run_demo,
        args=("127.0.0.1", mosquitto.port, homes),
        kwargs={"seed": 11, "stop": stop},
        daemon=True,
    )
    started = time.time()
    runner.start()
    try:
        sos = observer.wait_for(b'"type":"sos"', timeout=25.0)
        assert sos is not None, "no SOS within 25 s"
        assert sos.at - started < 20.0
    finally:
        stop.set()
        runner.join(15.0)
        observer.close()
    assert not runner.is_alive()
    seen = observer.snapshot()
    now_ms = int(time.time() * 1000)
    decoded = [decode(s.topic, s.payload, now_ms) for s in seen]
    assert all(isinstance(m, Message) for m in decoded), [
        m for m in decoded if not isinstance(m, Message)
    ]
    online = [s for s in seen if s.topic.endswith("/availability")]
    assert len(online) >= sum(len(h.devices) for h in homes)
    assert all(msgspec.json.decode(s.payload)["state"] == "online" for s in online)
