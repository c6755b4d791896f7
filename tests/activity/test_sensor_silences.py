"""Silences learned per last sensor (by day part), pooled toward the room's limit."""

from __future__ import annotations

from detectors.activity.config import ActivityConfig
from detectors.activity.detector import ActivityDetector
from domain import contract
from domain.clock import ManualClock, now_ms
from domain.decode import Message
from domain.model import Device, DeviceKind, Room
from tests.activity.helpers import DAY_MS, HOME, HOUR_MS, MIN_MS, MONDAY_MS, motion, msg, usual_day

CHAIR = Device("pir-chair", HOME, DeviceKind.MOTION, "pir", Room.LIVING_ROOM)


def chair(ts: int) -> tuple[Message, Device]:
    return msg(contract.Motion(v=1, seq=ts // 1000, ts=ts, state=True), CHAIR), CHAIR


def afternoon_in_the_chair(day_start: int) -> list[tuple[Message, Device]]:
    """A usual day, and every afternoon she sits still in her chair from 14:00 to 15:30."""
    sit, rise = day_start + 14 * HOUR_MS, day_start + 15 * HOUR_MS + 30 * MIN_MS
    day = [m for m in usual_day(day_start) if not sit <= (m[0].ts or 0) < rise]
    return sorted([*day, chair(sit)], key=lambda m: m[0].ts or 0)


def first_prewarning_after(cfg: ActivityConfig, last: tuple[Message, Device]) -> float:
    """Minutes from the last sign of life (day 10) to the pre-warning, after 9 such days."""
    clock = ManualClock(MONDAY_MS / 1000)
    detector = ActivityDetector(default=cfg, timezone="UTC")
    items = [m for d in range(9) for m in afternoon_in_the_chair(MONDAY_MS + d * DAY_MS)]
    day10 = MONDAY_MS + 9 * DAY_MS
    last_ts = last[0].ts or 0
    items += [m for m in usual_day(day10) if (m[0].ts or 0) < last_ts] + [last]
    for message, device in items:
        ts = message.ts or 0
        while now_ms(clock) + MIN_MS <= ts:
            clock.advance(60)
            detector.tick(now_ms(clock))
        clock.set(ts / 1000)
        detector.on_message(message, device, ts)
    while now_ms(clock) < last_ts + 12 * HOUR_MS:
        clock.advance(60)
        for found in detector.tick(now_ms(clock)):
            if found.type == "prewarning":
                return (found.ts_ms - last_ts) / MIN_MS
    raise AssertionError("no pre-warning within 12 h")


def test_silence_after_a_sensor_she_never_stays_still_after_alarms_sooner() -> None:
    """Her chair's 90 min afternoons make the living room's limit long; after the room's
    other sensor she has never been still for more than 20 min, so a silence there is
    alarmed much sooner, while her usual hour in the chair still raises nothing."""
    day10 = MONDAY_MS + 9 * DAY_MS
    after_pir = motion(day10 + 14 * HOUR_MS + 40 * MIN_MS, "living")
    after_chair = chair(day10 + 14 * HOUR_MS)
    room_only = ActivityConfig(sensor_prior=1e12)  # the sensor's own silences weigh nothing
    pir_wait = first_prewarning_after(ActivityConfig(), after_pir)
    pir_wait_by_room = first_prewarning_after(room_only, after_pir)
    chair_wait = first_prewarning_after(ActivityConfig(), after_chair)
    assert pir_wait < 0.7 * pir_wait_by_room, (pir_wait, pir_wait_by_room)
    assert chair_wait > max(90, pir_wait), (chair_wait, pir_wait)
    assert ActivityConfig().gap_floor_s / 60 <= pir_wait


def test_sensor_silences_survive_a_restart() -> None:
    detector = ActivityDetector(default=ActivityConfig(), timezone="UTC")
    for d in range(9):
        for message, device in afternoon_in_the_chair(MONDAY_MS + d * DAY_MS):
            detector.on_message(message, device, message.ts or 0)
    before = detector.state(HOME)
    assert "pir-chair@pm" in before.sensor_names
    row = before.sensor_names.index("pir-chair@pm")
    assert before.sensor_limit_s[row] == 90 * 60 and before.sensor_count[row] == 8
    restarted = ActivityDetector(default=ActivityConfig(), timezone="UTC")
    restarted.restore(HOME, detector.snapshot(HOME))
    after = restarted.state(HOME)
    assert after.sensor_names == before.sensor_names
    assert after.sensor_limit_s[row] == before.sensor_limit_s[row]
    assert restarted.snapshot(HOME) == detector.snapshot(HOME)
