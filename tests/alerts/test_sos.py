from __future__ import annotations

from detectors.sos import SosDetector
from domain.alarms import Severity
from domain.model import Device, DeviceKind
from tests.alerts.helpers import NOW_MS, button, message, reading, sos


def test_sos_press_is_a_critical_detection_with_device_room_and_time() -> None:
    found = SosDetector().on_message(sos(seq=7, ts=NOW_MS - 500), button(), NOW_MS)
    assert len(found) == 1
    d = found[0]
    assert (d.home_id, d.type, d.severity, d.device_id) == ("h1", "sos", Severity.CRITICAL, "btn1")
    assert d.ts_ms == NOW_MS - 500
    assert d.evidence == {
        "device": "btn1",
        "kind": "sos_button",
        "room": "bedroom",
        "ts": NOW_MS - 500,
        "seq": 7,
    }


def test_other_messages_and_ticks_raise_nothing() -> None:
    detector = SosDetector()
    pendant = Device("pend1", "h1", DeviceKind.PENDANT)
    assert detector.on_message(reading(), pendant, NOW_MS) == []
    cancel = message("h1", "pend1", "event", {"v": 1, "seq": 2, "ts": NOW_MS, "type": "cancel"})
    assert detector.on_message(cancel, pendant, NOW_MS) == []
    assert detector.tick(NOW_MS + 10**9) == []


def test_pendant_without_room_still_raises() -> None:
    found = SosDetector().on_message(sos(device="pend1"), button(device="pend1", room=None), NOW_MS)
    assert found[0].evidence["room"] is None
