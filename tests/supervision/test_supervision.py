"""Device supervision on a moved clock: faults are TECHNICAL and each has a restore."""

from __future__ import annotations

from detectors.supervision import SupervisionConfig, SupervisionDetector
from domain import contract
from domain.alarms import Category, Detection, Severity
from domain.decode import Message
from domain.model import Device, DeviceKind, Room
from domain.topics import Topic
from tests.activity.helpers import HOUR_MS, MIN_MS, MONDAY_MS, MemoryBlobs

HOME = "h1"
PIR = Device("pir", HOME, DeviceKind.MOTION, "pir-1", Room.KITCHEN)
GATEWAY = Device("gw", HOME, DeviceKind.GATEWAY, "gw-1")
PENDANT = Device("pendant", HOME, DeviceKind.PENDANT, "watch-1")


def status(device: Device, ts: int, battery: float | None = None) -> Message:
    body = contract.Status(v=1, seq=ts // 1000, ts=ts, battery=battery)
    return Message(Topic(HOME, device.device_id, "status"), body)


def will(device: Device, state: str) -> Message:
    body = contract.Availability(state="offline" if state == "offline" else "online")
    return Message(Topic(HOME, device.device_id, "availability"), body)


def motion(ts: int, state: bool = True) -> Message:
    return Message(
        Topic(HOME, "pir", "event"), contract.Motion(v=1, seq=ts // 1000, ts=ts, state=state)
    )


def steps(ts: int, count: int) -> Message:
    values = contract.Values(steps=count)
    return Message(
        Topic(HOME, "pendant", "reading"), contract.Reading(v=1, seq=ts, ts=ts, values=values)
    )


def run_ticks(
    det: SupervisionDetector, start: int, end: int, step: int = MIN_MS
) -> list[Detection]:
    found: list[Detection] = []
    for ts in range(start, end + 1, step):
        found.extend(det.tick(ts))
    return found


def test_missed_heartbeats_then_restore() -> None:
    det = SupervisionDetector(config=SupervisionConfig(model_intervals_s={"pir-1": 3600}))
    t = MONDAY_MS
    det.on_message(status(PIR, t), PIR, t)
    assert run_ticks(det, t, t + 59 * MIN_MS) == []
    found = run_ticks(det, t + 59 * MIN_MS, t + 2 * HOUR_MS)
    assert [(d.type, d.severity, d.category) for d in found] == [
        ("device_offline", Severity.TECHNICAL, Category.TECHNICAL)
    ]
    back = det.on_message(status(PIR, t + 3 * HOUR_MS), PIR, t + 3 * HOUR_MS)
    assert [d.type for d in back] == ["device_offline_restored"]


def test_last_will_and_gateway_offline_hides_its_devices() -> None:
    det = SupervisionDetector()
    t = MONDAY_MS
    det.watch([PIR, GATEWAY], t)
    found = det.on_message(will(GATEWAY, "offline"), GATEWAY, t + 1000)
    assert [d.type for d in found] == ["gateway_offline"]
    later = run_ticks(det, t, t + 30 * HOUR_MS, HOUR_MS)  # the PIR's 25 h window passes too
    assert later == []  # one cause, one alarm: the gateway
    back = det.on_message(will(GATEWAY, "online"), GATEWAY, t + 31 * HOUR_MS)
    assert [d.type for d in back] == ["gateway_offline_restored"]


def test_low_battery_with_hysteresis() -> None:
    det = SupervisionDetector()
    t = MONDAY_MS
    kinds = []
    for i, level in enumerate([50, 19, 18, 25, 31, 19]):
        kinds += [
            d.type for d in det.on_message(status(PIR, t + i * 1000, level), PIR, t + i * 1000)
        ]
    assert kinds == ["low_battery", "low_battery_restored", "low_battery"]


def test_pendant_not_worn_while_the_house_is_active() -> None:
    det = SupervisionDetector(config=SupervisionConfig(not_worn_s=2 * 3600))
    t = MONDAY_MS
    det.watch([PIR, PENDANT], t)
    det.on_message(steps(t, 100), PENDANT, t)
    det.on_message(steps(t + MIN_MS, 150), PENDANT, t + MIN_MS)  # worn: steps grow
    for k in range(1, 6):
        det.on_message(motion(t + k * 30 * MIN_MS), PIR, t + k * 30 * MIN_MS)
    found = run_ticks(det, t + 2 * MIN_MS, t + 3 * HOUR_MS)
    assert [d.type for d in found] == ["pendant_not_worn"]
    ts = t + 3 * HOUR_MS + MIN_MS
    back = det.on_message(steps(ts, 170), PENDANT, ts)
    assert [d.type for d in back] == ["pendant_not_worn_restored"]


def test_stuck_motion_sensor() -> None:
    det = SupervisionDetector(config=SupervisionConfig(stuck_s=3600))
    t = MONDAY_MS
    det.on_message(motion(t), PIR, t)
    for k in range(1, 10):  # keeps saying "motion" without ever going quiet
        det.on_message(motion(t + k * 10 * MIN_MS), PIR, t + k * 10 * MIN_MS)
    found = run_ticks(det, t, t + 2 * HOUR_MS)
    assert [d.type for d in found] == ["sensor_stuck"]
    end = t + 2 * HOUR_MS + 1000
    assert [d.type for d in det.on_message(motion(end, False), PIR, end)] == [
        "sensor_stuck_restored"
    ]


def test_faults_survive_a_restart() -> None:
    store = MemoryBlobs()
    det = SupervisionDetector(store)
    t = MONDAY_MS
    det.on_message(will(GATEWAY, "offline"), GATEWAY, t)
    again = SupervisionDetector(store)
    assert again.tick(t + MIN_MS) == []  # already raised before the restart: not raised twice
    back = again.on_message(will(GATEWAY, "online"), GATEWAY, t + HOUR_MS)
    assert [d.type for d in back] == ["gateway_offline_restored"]
