"""ingest.models.Checker without a broker: the model path's checks, assigned seqs that stay one
interval and carry on after a restart, and care meanings reaching the supervision detector."""

from __future__ import annotations

import json
import os
from pathlib import Path

from anju.settings import Settings
from anju.wiring import make_models
from detectors.registry import DetectorRegistry
from detectors.supervision import SupervisionDetector
from device_models.decoders.lumio_lora import PERIODIC, encode
from device_models.registry import SHIPPED_MODELS, ModelRegistry
from domain.alarms import Detection
from domain.clock import ManualClock, now_ms
from domain.model import Device, DeviceKind, Home
from domain.rejects import Reason, Rejected
from ingest.directory import DeviceDirectory
from ingest.gate import Accepted, Gate
from ingest.models import Checker
from ingest.ratelimit import RateLimiter
from tests.device_models.helpers import model_text, write_decoder, write_model
from tests.ingest.helpers import open_stores


def _frame(battery: int = 80, counter: int = 1) -> bytes:
    return encode(
        PERIODIC, motion=False, battery=battery, temp_c=20.0, humidity=50, counter=counter
    )


def _checker(tmp_path: Path, clock: ManualClock) -> Checker:
    _, state = open_stores(tmp_path / "stores")
    state.upsert_home(Home("h1", "c1"))
    state.upsert_home(Home("h2", "c1"))
    state.upsert_device(Device("lora-1", "h1", DeviceKind.MOTION, "lumio-ls10"))
    state.upsert_device(Device("radar-1", "h1", DeviceKind.MOTION, "somni-r3"))
    state.upsert_device(Device("pir-1", "h1", DeviceKind.MOTION, "anju-pir-m1"))
    registry = ModelRegistry([SHIPPED_MODELS], clock=clock)
    registry.load()
    gate = Gate(DeviceDirectory(state, clock), RateLimiter(100.0, 1000))
    return Checker(gate, registry)


def test_the_model_path_checks_device_model_and_home(tmp_path: Path) -> None:
    clock = ManualClock()
    checker = _checker(tmp_path, clock)
    now = now_ms(clock)
    (ok,) = checker.check("lumio/ls10/lora-1/up", _frame(), now)
    assert isinstance(ok, Accepted)
    assert ok.message.topic.home_id == "h1" and ok.device.model == "lumio-ls10"

    def reason(topic: str, payload: bytes) -> Reason:
        (verdict,) = checker.check(topic, payload, now)
        assert isinstance(verdict, Rejected)
        return verdict.reason

    assert reason("lumio/ls10/nobody/up", _frame()) is Reason.UNKNOWN_DEVICE
    assert reason("lumio/ls10/pir-1/up", _frame()) is Reason.SPOOFED  # a PIR, not a Lumio
    fall = json.dumps({"ts": now, "event": "fall_detected"}).encode()
    assert reason("somni/h2/radar-1/events", fall) is Reason.SPOOFED  # another home's topic
    assert reason("nobody/knows/this", b"") is Reason.BAD_TOPIC
    assert reason("lumio/ls10/lora-1/up", b"\x01") is Reason.DECODER
    contract = b'{"v":1,"seq":1,"ts":%d,"type":"motion","state":true}' % now
    (plain,) = checker.check("anju/v1/h1/pir-1/event", contract, now)
    assert isinstance(plain, Accepted)  # the contract's own path is unchanged
    # ... and what a contract device says must stay within its model's declaration
    sos = b'{"v":1,"seq":2,"ts":%d,"type":"sos"}' % now
    assert reason("anju/v1/h1/pir-1/event", sos) is Reason.DECODER
    battery = b'{"v":1,"seq":3,"ts":%d,"battery":55}' % now
    (status,) = checker.check("anju/v1/h1/pir-1/status", battery, now)
    assert isinstance(status, Accepted)


def test_alarm_capable_models_skip_the_queue_of_readings(tmp_path: Path) -> None:
    checker = _checker(tmp_path, ManualClock())
    assert checker.urgent("anju/v1/h1/p1/event")
    assert not checker.urgent("anju/v1/h1/p1/reading")
    assert checker.urgent("hx/w4/up")  # SOS and fall: every message of the band
    assert checker.urgent("somni/h1/radar-1/events")  # its own fall events
    assert not checker.urgent("lumio/ls10/lora-1/up")
    assert not checker.urgent("nobody/knows/this")


def test_assigned_seqs_are_consecutive_and_continue_after_a_restart(tmp_path: Path) -> None:
    clock = ManualClock()
    checker = _checker(tmp_path, clock)
    seqs: list[int] = []
    for i in range(5):
        clock.advance(60)
        (v,) = checker.check("lumio/ls10/lora-1/up", _frame(counter=i), now_ms(clock))
        assert isinstance(v, Accepted)
        assert v.message.seq is not None
        seqs.append(v.message.seq)
    assert seqs == list(range(seqs[0], seqs[0] + 5))
    restarted = _checker(tmp_path / "again", clock)
    for seq in seqs:  # what ingest.start() reads back from the store
        restarted.gate.remember("lora-1", seq)
    (v,) = restarted.check("lumio/ls10/lora-1/up", _frame(counter=9), now_ms(clock))
    assert isinstance(v, Accepted) and v.message.seq == seqs[-1] + 1


class _Sink:
    def __init__(self) -> None:
        self.found: list[Detection] = []

    def handle(self, detections: object) -> None:
        self.found.extend(detections)  # type: ignore[arg-type]


def test_model_supervision_and_battery_thresholds_reach_the_detector(tmp_path: Path) -> None:
    clock = ManualClock()
    supervision = SupervisionDetector()
    detectors = DetectorRegistry(_Sink(), clock, [supervision])
    models_dir = tmp_path / "models"
    write_decoder(models_dir, "return [{'channel': 'status', 'battery': payload[0]}]")
    path = write_model(models_dir, model_id="test-t1", payload="binary")
    models = make_models(Settings(device_models_dirs=str(models_dir)), clock, detectors)
    assert supervision.config.model_intervals_s["hx-w4"] == 14400
    assert supervision.config.model_battery_low["lumio-ls10"] == 15
    band = Device("band-1", "h1", DeviceKind.PENDANT, "hx-w4")
    plain = Device("pend-1", "h1", DeviceKind.PENDANT, "")
    start = now_ms(clock)
    supervision.watch([band, plain], start)
    kinds = {(d.device_id, d.type) for d in supervision.tick(start + 14_401_000)}
    assert kinds == {("band-1", "device_offline")}  # the band's own 4 h window, not 25 h

    t1 = Device("t1-1", "h1", DeviceKind.MOTION, "test-t1")
    model = models.get("test-t1")
    assert model is not None
    (status,) = model.decode("test/t1-1/up", bytes([16]), start)  # type: ignore[misc]
    assert supervision.on_message(status, t1, start) == []  # 16 % is fine: low_below 15
    (status,) = model.decode("test/t1-1/up", bytes([14]), start)  # type: ignore[misc]
    assert [d.type for d in supervision.on_message(status, t1, start)] == ["low_battery"]

    # an edited model file changes the window of devices already watched
    path.write_text(
        model_text(model_id="test-t1", payload="binary").replace(
            "offline_after_s: 90000", "offline_after_s: 7200"
        ),
        encoding="utf-8",
    )
    st = path.stat()
    os.utime(path, ns=(st.st_mtime_ns + 10**9, st.st_mtime_ns + 10**9))
    clock.advance(3)
    assert models.poll()
    assert supervision.config.model_intervals_s["test-t1"] == 7200
    found = supervision.tick(start + 7_300_000)
    assert ("t1-1", "device_offline") in {(d.device_id, d.type) for d in found}
