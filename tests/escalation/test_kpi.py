"""Call-centre figures from alarm records (pure)."""

from __future__ import annotations

from alerts.kpi import compute, first_taken_ms, shift_of
from domain.alarms import Alarm, AlarmState, Detection, Severity, open_alarm, transition
from domain.model import Home

HOMES = {"h1": Home("h1", "c1"), "h2": Home("h2", "c2")}
DAY = 1_767_240_000_000  # 2026-01-01 12:00 Asia/Shanghai


def taken(
    alarm_id: str, home: str, raised: int, after_s: float | None, actor: str = "user:op"
) -> Alarm:
    a = open_alarm(alarm_id, Detection(home, "sos", Severity.CRITICAL, raised), raised)
    transition(a, AlarmState.NOTIFIED, "system", raised + 500)
    if after_s is not None:
        transition(a, AlarmState.ACCEPTED, actor, raised + int(after_s * 1000))
    return a


def test_time_to_first_acceptance_ignores_the_system() -> None:
    a = taken("a", "h1", DAY, 42)
    assert first_taken_ms(a) == 42_000
    assert first_taken_ms(taken("b", "h1", DAY, None)) is None


def test_shares_within_60_and_180_s_by_community_and_shift() -> None:
    alarms = [taken(f"a{i}", "h1", DAY + i, 30) for i in range(38)]
    alarms.append(taken("slow", "h1", DAY, 120))
    alarms.append(taken("waiting", "h2", DAY, None))  # open, nobody: a miss once old enough
    night = DAY - 10 * 3600_000  # 02:00 local
    alarms.append(taken("night", "h2", night, 10))
    cancelled = open_alarm("c", Detection("h1", "fall", Severity.CRITICAL, DAY), DAY)
    transition(cancelled, AlarmState.CANCELLED, "resident", DAY + 5_000)
    alarms.append(cancelled)  # needed no answer: left out
    tech = open_alarm("t", Detection("h1", "device_offline", Severity.TECHNICAL, DAY), DAY)
    alarms.append(tech)  # not a care call: left out
    doc = compute(alarms, HOMES, DAY + 600_000)
    total = doc["all"]
    assert (total["alarms"], total["taken"], total["waiting"]) == (41, 40, 1)
    assert total["share_60s"] == 39 / 41
    assert total["share_180s"] == 40 / 41
    assert total["meets_60s"] is False
    assert doc["by_community"]["c1"]["share_60s"] == 38 / 39
    assert doc["by_shift"]["night"]["alarms"] == 1
    assert doc["by_community_shift"]["c2/day"]["waiting"] == 1


def test_a_young_unanswered_alarm_is_not_judged_yet() -> None:
    doc = compute([taken("w", "h1", DAY, None)], HOMES, DAY + 30_000)
    assert doc["all"]["share_60s"] is None and doc["all"]["waiting"] == 1


def test_shift_in_local_time() -> None:
    assert shift_of(DAY, "Asia/Shanghai") == "day"
    assert shift_of(DAY + 6 * 3600_000, "Asia/Shanghai") == "evening"
    assert shift_of(DAY + 14 * 3600_000, "Asia/Shanghai") == "night"
