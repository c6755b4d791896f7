"""Device models end to end through a real Mosquitto and the wired Anju process: a binary LoRa
frame becomes a stored reading, a wristband's SOS a panic alarm, a radar's own fall event a fall
alarm; a raising decoder costs only its own message (dead letter `decoder`); a model file added
while Anju runs is picked up (its topic subscribed) without a restart."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from anju.settings import Settings
from anju.wiring import Anju, build
from broker.mosquitto import Mosquitto, free_port
from device_models.decoders.lumio_lora import MOTION, PERIODIC, encode
from domain.clock import ManualClock, now_ms
from domain.model import Device, DeviceKind, Home, Room
from tests.device_models.helpers import model_text, write_decoder, write_model
from tests.ingest.helpers import Publisher, wait_until

IMEI = "865123045678901"


@pytest.fixture
def anju(mosquitto: Mosquitto, tmp_path: Path) -> Iterator[tuple[Anju, ManualClock, Path]]:
    models = tmp_path / "models"
    write_decoder(
        models,
        "if payload == b'boom':\n    raise KeyError('boom')\n"
        "while payload == b'loop':\n    pass\n"
        "return [{'channel': 'status'}]",
    )
    write_model(models, "broken.yaml", model_id="test-broken", topic="broken/{device}/up")
    settings = Settings(
        data_dir=tmp_path / "data",
        mqtt_port=mosquitto.port,
        http_port=free_port(),
        mqtt_client_id="models-e2e",
        device_models_dirs=str(models),
        escalation=False,
    )
    clock = ManualClock()
    app = build(settings, clock=clock)
    state = app.state_store
    state.upsert_home(Home("h1", "c1"))
    for device_id, kind, model in (
        ("lora-1", DeviceKind.MOTION, "lumio-ls10"),
        (IMEI, DeviceKind.PENDANT, "hx-w4"),
        ("radar-1", DeviceKind.MOTION, "somni-r3"),
        ("br-1", DeviceKind.MOTION, "test-broken"),
    ):
        state.upsert_device(Device(device_id, "h1", kind, model, Room.BEDROOM))
    app.start()
    try:
        yield app, clock, models
    finally:
        app.stop()


def _points(app: Anju, device_id: str) -> list[dict[str, float | int | str | bool]]:
    return [p.fields for p in app.ts_store.query("h1", 0, 2**62, device_id=device_id)]


def _alarm_types(app: Anju) -> set[str]:
    return {a.type for a in app.state_store.list_alarms()}


def test_vendor_devices_reach_the_store_and_the_detectors(
    anju: tuple[Anju, ManualClock, Path], mosquitto: Mosquitto
) -> None:
    app, clock, _ = anju
    pub = Publisher(mosquitto.port, "models-e2e-devices")
    try:
        # a binary LoRa frame -> a stored reading (and a motion event)
        pub.publish(
            "lumio/ls10/LORA-1/up",
            encode(PERIODIC, motion=False, battery=87, temp_c=21.4, humidity=48, counter=1),
        )
        pub.publish(
            "lumio/ls10/LORA-1/up",
            encode(MOTION, motion=True, battery=87, temp_c=21.5, humidity=48, counter=2),
        )
        wait_until(lambda: len(_points(app, "lora-1")) == 3, 10, "LoRa points")
        fields = _points(app, "lora-1")
        assert {"temperature": 21.4, "humidity": 48.0, "battery": 87.0}.items() <= fields[0].items()
        assert {"type": "motion", "state": True} in [
            {k: f[k] for k in ("type", "state")} for f in fields if "type" in f
        ]

        # the wristband's SOS (its own JSON, the IMEI in the payload) -> a panic alarm
        t = now_ms(clock) // 1000
        sos = {"imei": IMEI, "type": "alarm", "alarm": "sos", "t": t}
        pub.publish("hx/w4/up", json.dumps(sos).encode())
        wait_until(lambda: "sos" in _alarm_types(app), 10, "SOS alarm")
        (alarm,) = [a for a in app.state_store.list_alarms() if a.type == "sos"]
        assert alarm.severity.value == "critical" and alarm.device_id == IMEI

        # the radar's own fall event -> a fall alarm once the cancel window has passed
        fall = {"ts": now_ms(clock), "event": "fall_detected", "conf": 0.93}
        pub.publish("somni/h1/radar-1/events", json.dumps(fall).encode())
        wait_until(lambda: len(_points(app, "radar-1")) == 1, 10, "radar fall stored")
        clock.advance(61.0)
        app.registry.tick()
        wait_until(lambda: "fall" in _alarm_types(app), 10, "fall alarm")

        # a raising decoder: one dead letter `decoder`, the model's other messages and every
        # other device carry on
        pub.publish("broken/br-1/up", b"loop")  # runs forever: stopped after its 20 ms
        pub.publish("broken/br-1/up", b"boom")
        pub.publish("broken/br-1/up", b"fine")
        pub.publish(
            "lumio/ls10/lora-1/up",
            encode(PERIODIC, motion=False, battery=86, temp_c=21.0, humidity=50, counter=3),
        )
        wait_until(lambda: len(_points(app, "lora-1")) == 4, 10, "LoRa after the failure")
        wait_until(lambda: len(_points(app, "br-1")) == 1, 10, "the broken model's good message")
        wait_until(lambda: len(app.state_store.dead_letters(reason="decoder")) == 2, 10, "both")
        letters = {d.payload: d for d in app.state_store.dead_letters(reason="decoder")}
        assert letters[b"boom"].topic == "broken/br-1/up"
        assert "model test-broken: decoder raised KeyError" in letters[b"boom"].detail
        assert "model test-broken: decoder ran over 20 ms" in letters[b"loop"].detail

        # a device publishing on another model's topic is refused
        spoof = {"imei": "radar-1", "type": "alarm", "alarm": "sos", "t": t}
        pub.publish("hx/w4/up", json.dumps(spoof).encode())
        wait_until(lambda: bool(app.state_store.dead_letters(reason="spoofed")), 10, "spoofed")
        # the batch is counted after its dead letters are written: wait for the count too
        wait_until(lambda: "spoofed" in app.ingest.stats.rejected, 10, "spoofed counted")
        assert app.ingest.stats.rejected == {"decoder": 2, "spoofed": 1}
    finally:
        pub.close()


def test_a_model_added_while_running_is_subscribed_and_used(
    anju: tuple[Anju, ManualClock, Path], mosquitto: Mosquitto
) -> None:
    app, clock, models = anju
    path = write_model(models, "later.yaml", model_id="test-later", topic="later/{device}/up")
    os.utime(path, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
    app.state_store.upsert_device(Device("later-1", "h1", DeviceKind.MOTION, "test-later"))
    clock.advance(2.5)  # the registry polls on the injected clock, from ingest's worker
    wait_until(
        lambda: app.models is not None and app.models.get("test-later") is not None,
        10,
        "model reloaded",
    )
    time.sleep(0.3)  # the SUBSCRIBE is on its way to the broker
    pub = Publisher(mosquitto.port, "models-e2e-later")
    try:
        pub.publish("later/later-1/up", b"anything")
        wait_until(lambda: len(_points(app, "later-1")) == 1, 10, "a message of the new model")
        # a broken edit keeps the model working and is reported with file and line
        path.write_text(
            model_text(model_id="test-later", topic="later/{device}/up").replace(
                "kind: motion", "kind: radar"
            ),
            encoding="utf-8",
        )
        os.utime(path, ns=(time.time_ns() + 3 * 10**9, time.time_ns() + 3 * 10**9))
        clock.advance(2.5)
        assert app.models is not None
        wait_until(lambda: bool(app.models and app.models.errors), 10, "error reported")
        assert "later.yaml:4:" in str(app.models.errors[0])
        pub.publish("later/later-1/up", b"again")
        wait_until(lambda: len(_points(app, "later-1")) == 2, 10, "still decoded")
    finally:
        pub.close()
