"""Post-fall logic on a moved clock: cancel window, movement, long lie, restarts, bad windows."""

from __future__ import annotations

from pathlib import Path

import msgspec
import numpy as np
import pytest

from detectors.fall.detector import BLOB_KEY, INPUT_ERROR, FallDetector, MemoryBlobStore
from detectors.fall.post_fall import FallSettings
from domain import contract
from domain.alarms import Severity
from domain.clock import ManualClock, now_ms
from domain.decode import Message, decode
from domain.model import Device, DeviceKind, Room
from domain.topics import Topic, topic
from stores.state.sql import SqlStateStore
from tests.fall.helpers import recording, stump_model

HOME = "h1"
PENDANT = Device("p1", HOME, DeviceKind.PENDANT)
PIR = Device("m1", HOME, DeviceKind.MOTION, room=Room.KITCHEN)


class Feed:
    def __init__(self, detector: FallDetector, clock: ManualClock) -> None:
        self.detector, self.clock, self.seq = detector, clock, 0

    def send(self, body_type: type, device: Device, **fields: object) -> list:  # type: ignore[type-arg]
        self.seq += 1
        ts = now_ms(self.clock)
        body = body_type(v=1, seq=self.seq, ts=ts, **fields)
        msg = Message(Topic(HOME, device.device_id, "event"), body)
        return self.detector.on_message(msg, device, ts)

    def impact(self, peak_g: float) -> list:  # type: ignore[type-arg]
        window = recording(7, impacts=((3.0, peak_g),))
        ts = now_ms(self.clock)
        return self.send(contract.Impact, PENDANT, fs=50.0, t0=ts - 7000, accel=window.tolist())

    def wait(self, seconds: float) -> list:  # type: ignore[type-arg]
        self.clock.advance(seconds)
        return self.detector.tick(now_ms(self.clock))


def _feed(settings: FallSettings | None = None, store: object = None) -> Feed:
    s = settings or FallSettings()
    detector = FallDetector(stump_model(), store=store, settings_for=lambda _h: s)  # type: ignore[arg-type]
    return Feed(detector, ManualClock())


def test_a_fall_waits_for_the_cancel_window_then_alarms_and_escalates_a_long_lie() -> None:
    f = _feed()
    assert f.impact(5.0) == []  # nothing before the cancel window ends
    assert f.wait(59) == []
    [alarm] = f.wait(2)
    assert (alarm.type, alarm.severity, alarm.device_id) == ("fall", Severity.CRITICAL, "p1")
    assert alarm.evidence["stage"] == "fall" and alarm.evidence["probability"] > 0.9
    assert f.wait(60 * 8) == []
    [long_lie] = f.wait(60 * 2)
    assert long_lie.evidence["long_lie"] is True and long_lie.evidence["still_s"] >= 600
    assert f.wait(60 * 9 - 3) == []  # 1198 s after the fall
    [again] = f.wait(3)
    assert again.evidence["long_lie_level"] == 2


def test_im_ok_in_the_window_is_a_near_miss_and_ends_the_episode() -> None:
    f = _feed()
    f.impact(5.0)
    f.wait(20)
    [near] = f.send(contract.Cancel, PENDANT)
    assert (near.type, near.severity) == ("fall_near_miss", Severity.MINOR)
    assert near.evidence["outcome"] == "cancelled"
    assert f.wait(3600) == []


def test_movement_lowers_confidence_and_a_second_impact_raises_it() -> None:
    f = _feed(FallSettings(movement_factor=0.001))
    f.impact(5.0)
    f.send(contract.Motion, PIR, state=True)
    [near] = f.wait(61)
    assert near.type == "fall_near_miss" and near.evidence["outcome"] == "moved"
    g = _feed(FallSettings(movement_factor=0.001, fall_again_factor=1e4))
    g.impact(5.0)
    g.send(contract.Motion, PIR, state=True)
    g.impact(6.0)
    [alarm] = g.wait(61)
    assert alarm.type == "fall" and alarm.evidence["falls_again"] == 1


def test_movement_after_the_alarm_delays_the_long_lie_and_people_about_end_it() -> None:
    f = _feed(FallSettings(handover_movements=3))
    f.impact(5.0)
    [alarm] = f.wait(61)
    assert alarm.evidence["stage"] == "fall"
    f.wait(400)
    f.send(contract.Motion, PIR, state=True)  # 461 s: the long-lie clock starts again
    assert f.wait(590) == []  # 1051 s after the fall, 590 s after the movement
    [long_lie] = f.wait(20)
    assert long_lie.evidence["still_s"] >= 600
    f.send(contract.Door, Device("d1", HOME, DeviceKind.DOOR), state="open")
    f.send(contract.Motion, PIR, state=True)
    assert f.wait(1) == []
    assert f.detector.episodes == {}
    assert f.wait(4 * 3600) == []


def test_a_small_bump_is_not_a_fall_and_a_device_fall_takes_the_same_path() -> None:
    f = _feed(FallSettings(cancel_window_s=0))
    assert f.impact(1.8) == []
    assert f.wait(3600) == []
    [alarm] = f.send(contract.Fall, Device("r1", HOME, DeviceKind.MOTION), confidence=0.8)
    assert alarm.type == "fall" and alarm.evidence["source"] == "device"
    assert alarm.evidence["probability"] == 0.8


def test_bad_windows_are_counted_technical_detections() -> None:
    f = _feed()
    window = recording(7, impacts=((3.0, 5.0),)) * 9.80665  # m/s^2
    [err] = f.send(contract.Impact, PENDANT, fs=50.0, t0=0, accel=window.tolist())
    assert (err.type, err.severity) == (INPUT_ERROR, Severity.TECHNICAL)
    assert err.evidence["problem"] == "wrong_units"
    [short] = f.send(contract.Impact, PENDANT, fs=50.0, t0=0, accel=[[0.0, 0.0, 1.0]] * 20)
    assert short.evidence["problem"] == "too_short"
    assert dict(f.detector.input_errors) == {"wrong_units": 1, "too_short": 1}
    assert f.detector.episodes == {}


def test_an_open_episode_survives_a_restart_in_the_state_store(tmp_path: Path) -> None:
    store = SqlStateStore(f"sqlite:///{tmp_path / 'state.db'}")
    try:
        f = _feed(store=store)
        f.impact(5.0)
        f.wait(30)
        assert store.load_blob(BLOB_KEY)
        restarted = FallDetector(stump_model(), store=store)
        assert set(restarted.episodes) == {HOME}
        f.clock.advance(31)
        [alarm] = restarted.tick(now_ms(f.clock))
        assert alarm.type == "fall"
    finally:
        store.close()


def test_an_impact_payload_from_the_wire_is_decoded_and_classified() -> None:
    f = _feed(store=MemoryBlobStore())
    window = np.round(recording(7, impacts=((3.0, 5.0),)), 4).tolist()
    ts = now_ms(f.clock)
    raw = msgspec.json.encode(
        {"type": "impact", "v": 1, "seq": 1, "ts": ts, "fs": 50.0, "t0": ts - 7000, "accel": window}
    )
    message = decode(topic(HOME, "p1", "event"), raw, ts)
    assert isinstance(message, Message) and isinstance(message.body, contract.Impact)
    assert f.detector.on_message(message, PENDANT, ts) == []
    assert set(f.detector.episodes) == {HOME}
    assert f.detector.windows_classified == 1
    [alarm] = f.wait(61)
    assert alarm.evidence["impact_ts"] == pytest.approx(ts - 4000, abs=40)


def test_unreadable_saved_state_is_counted_not_fatal() -> None:
    store = MemoryBlobStore()
    store.save_blob(BLOB_KEY, b"{not json")
    detector = FallDetector(stump_model(), store=store)
    assert detector.episodes == {} and detector.input_errors["unreadable_state"] == 1
