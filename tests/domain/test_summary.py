"""The daily summary on hand-made days: up, meals, outings, not up, no data, alarms, words."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from domain.alarms import Alarm, AlarmState, Change, Severity
from domain.daily import Sign, day_bounds, signs
from domain.model import Device, DeviceKind, Room
from domain.points import Point
from domain.summary import Status, summarize
from web.i18n_family import sentence

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 10)
H = "h1"


def at(hhmm: str, day: date = DAY) -> int:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return int(datetime.combine(day, time(hour, minute), TZ).timestamp() * 1000)


def yesterday(hhmm: str) -> int:
    return at(hhmm, date(2026, 3, 9))


def m(hhmm: str, room: Room) -> Sign:
    return Sign(at(hhmm), room, "motion")


def door(ts: int) -> Sign:
    return Sign(ts, Room.ENTRANCE, "door", front_door=True)


def bed(ts: int, lying: bool) -> Sign:
    return Sign(ts, Room.BEDROOM, "bed", in_bed=lying)


def night() -> list[Sign]:
    """Evening, to bed at 22:10, a toilet trip at 05:20 (back to bed)."""
    return [
        Sign(yesterday("21:30"), Room.LIVING_ROOM, "motion"),
        Sign(yesterday("22:05"), Room.BATHROOM, "motion"),
        bed(yesterday("22:10"), True),
        bed(at("05:20"), False),
        m("05:21", Room.BATHROOM),
        m("05:26", Room.BEDROOM),
        bed(at("05:27"), True),
    ]


def morning() -> list[Sign]:
    """Up at 07:10, breakfast 07:40-08:05, out 09:30, back 11:15."""
    return [
        bed(at("07:10"), False),
        m("07:11", Room.BATHROOM),
        m("07:25", Room.LIVING_ROOM),
        m("07:40", Room.KITCHEN),
        m("07:48", Room.KITCHEN),
        m("07:55", Room.KITCHEN),
        m("08:05", Room.KITCHEN),
        m("08:30", Room.LIVING_ROOM),
        m("09:20", Room.BEDROOM),
        door(at("09:30")),
        door(at("09:31")),
        door(at("11:15")),
        door(at("11:15") + 30_000),
        m("11:17", Room.LIVING_ROOM),
    ]


def alarm(
    type_: str,
    raised: int,
    state: AlarmState,
    actor: str | None = None,
    sev: Severity = Severity.CRITICAL,
) -> Alarm:
    history = [Change(raised, AlarmState.RAISED, "system", type_)]
    if actor is not None:
        history.append(Change(raised + 60_000, AlarmState.ACCEPTED, actor))
    if state in (AlarmState.IN_PROGRESS, AlarmState.RESOLVED):
        history.append(Change(raised + 120_000, state, actor or "system"))
    return Alarm(f"a-{type_}", H, type_, sev, state, raised, raised, history=history)


def test_an_ordinary_morning_in_plain_words() -> None:
    s = summarize(DAY, TZ, at("12:00"), night() + morning(), [], heard_ms=at("11:59"))
    assert s.status is Status.FINE
    assert s.up_ms == at("07:10")  # the 05:20 toilet trip is not getting up
    assert [(x.label, x.start_ms, x.end_ms) for x in s.meals] == [
        ("breakfast", at("07:40"), at("08:05"))
    ]
    assert [(o.start_ms, o.end_ms) for o in s.outings] == [(at("09:30"), at("11:15"))]
    zh = sentence(s.phrases, "zh")
    assert zh == "起床 07:10，吃过早饭（厨房 07:40–08:05），09:30 出门，11:15 回家，今天一切正常。"
    en = sentence(s.phrases, "en")
    assert en == (
        "Up at 07:10, breakfast in the kitchen 07:40–08:05, went out at 09:30, "
        "back home at 11:15, all is fine today."
    )


def test_early_morning_without_getting_up_is_resting_then_not_up() -> None:
    early = summarize(DAY, TZ, at("06:30"), night(), [], heard_ms=at("06:29"))
    assert early.status is Status.RESTING and early.up_ms is None
    assert sentence(early.phrases, "en") == "Still resting."
    late = summarize(DAY, TZ, at("10:30"), night(), [], heard_ms=at("10:29"))
    assert late.status is Status.NOT_UP
    assert ("last_seen", {"time": "05:27", "room": "bedroom"}) in late.phrases
    assert "还没有起床" in sentence(late.phrases, "zh")


def test_the_not_up_hour_is_a_setting() -> None:
    s = summarize(DAY, TZ, at("10:30"), night(), [], heard_ms=at("10:29"), not_up_by_h=11.0)
    assert s.status is Status.RESTING


def test_nothing_heard_all_day_is_a_device_problem_not_an_emergency() -> None:
    s = summarize(DAY, TZ, at("11:00"), [], [], heard_ms=yesterday("20:00"))
    assert s.status is Status.NO_DATA and s.device_problem
    assert "可能是设备问题" in sentence(s.phrases, "zh")
    never = summarize(DAY, TZ, at("11:00"), [], [], heard_ms=None)
    assert never.status is Status.NO_DATA
    # at 06:00 nobody expects a sign yet: resting, not a device problem
    dawn = summarize(DAY, TZ, at("06:00"), [], [], heard_ms=yesterday("23:00"))
    assert dawn.status is Status.RESTING and not dawn.device_problem


def test_heartbeats_without_signs_of_life_mean_not_up() -> None:
    s = summarize(DAY, TZ, at("11:00"), night(), [], heard_ms=at("10:55"))
    assert s.status is Status.NOT_UP and not s.device_problem


def test_signal_lost_during_the_day_is_said_after_the_day_so_far() -> None:
    signs_ = night() + morning()
    s = summarize(DAY, TZ, at("16:00"), signs_, [], heard_ms=at("11:17"))
    assert s.status is Status.FINE and s.device_problem
    assert s.phrases[-1] == ("device_problem", {"time": "11:17"})
    assert "all_fine" not in [k for k, _ in s.phrases]


def test_out_now() -> None:
    signs_ = night() + morning()[:11]  # left at 09:30, not back
    s = summarize(DAY, TZ, at("10:30"), signs_, [], heard_ms=at("10:29"))
    assert s.status is Status.OUT
    assert s.outings[-1].end_ms is None
    assert sentence(s.phrases, "zh").endswith("08:05），现在外出中（09:30 出门）。")
    assert sentence(s.phrases, "en").endswith("07:40–08:05, out now (left at 09:30).")
    # five minutes after the door she may still be at the door: not out yet
    soon = summarize(DAY, TZ, at("09:35"), signs_, [], heard_ms=at("09:35"))
    assert soon.status is Status.FINE and soon.outings == ()


def test_out_without_heartbeats_is_not_a_device_problem() -> None:
    signs_ = night() + morning()[:11]
    s = summarize(DAY, TZ, at("14:00"), signs_, [], heard_ms=at("09:31"))
    assert s.status is Status.OUT and not s.device_problem


def test_door_then_life_inside_is_not_an_outing() -> None:
    signs_ = [*night(), bed(at("07:00"), False), door(at("07:30")), m("08:10", Room.KITCHEN)]
    s = summarize(DAY, TZ, at("09:00"), signs_, [], heard_ms=at("08:59"))
    assert s.outings == () and s.status is Status.FINE


def test_meals_need_a_real_stay_in_the_kitchen() -> None:
    drink = [bed(at("07:00"), False), m("07:30", Room.KITCHEN), m("07:31", Room.KITCHEN)]
    lunch = [m(f"12:{x:02d}", Room.KITCHEN) for x in (0, 2, 4, 6, 9, 15)]
    dinner = [m("18:00", Room.KITCHEN), m("18:10", Room.KITCHEN), m("18:24", Room.KITCHEN)]
    s = summarize(DAY, TZ, at("20:00"), night() + drink + lunch + dinner, [], heard_ms=at("20:00"))
    assert [(x.label, x.start_ms, x.end_ms) for x in s.meals] == [
        ("lunch", at("12:00"), at("12:15")),
        ("dinner", at("18:00"), at("18:24")),
    ]


def test_open_alarm_says_who_handles_it() -> None:
    raised = at("09:00")
    waiting = alarm("sos", raised, AlarmState.NOTIFIED)
    s = summarize(DAY, TZ, at("09:05"), night() + morning()[:8], [waiting], heard_ms=at("09:04"))
    assert s.status is Status.ALARM
    assert s.phrases[0] == ("alarm_open", {"type": "sos", "time": "09:00"})
    assert "正在通知家人和社区呼叫中心" in sentence(s.phrases, "zh")
    taken = alarm("sos", raised, AlarmState.ACCEPTED, "user:op1")
    s = summarize(DAY, TZ, at("09:05"), night() + morning()[:8], [taken], heard_ms=at("09:04"))
    assert s.alarms[0].handler == "user:op1"
    names = {"user:op1": "值班员 王芳"}
    assert sentence(s.phrases, "zh", names=names).startswith("09:00 紧急呼叫，由 值班员 王芳 处理")
    assert sentence(s.phrases, "zh", me="user:op1") == (
        "09:00 紧急呼叫，由 您 处理。起床 07:10，吃过早饭（厨房 07:40–08:05），"
        "最近一次活动：08:30（客厅）。"
    )
    assert sentence(s.phrases, "en", me="user:op1").startswith(
        "SOS call at 09:00: handled by you. Up at 07:10, breakfast"
    )


def test_in_progress_and_closed_alarms() -> None:
    busy = alarm("fall", at("08:00"), AlarmState.IN_PROGRESS, "family:c1")
    s = summarize(DAY, TZ, at("09:00"), night() + morning()[:8], [busy], heard_ms=at("09:00"))
    assert s.phrases[0][0] == "alarm_in_progress"
    done = alarm("sos", at("08:00"), AlarmState.RESOLVED, "user:op1")
    s = summarize(DAY, TZ, at("12:00"), night() + morning(), [done], heard_ms=at("12:00"))
    assert s.status is Status.FINE
    assert s.phrases[0] == ("alarm_closed", {"type": "sos", "time": "08:00"})
    assert s.phrases[-1] == ("all_fine_now", {})


def test_technical_alarms_are_a_device_problem_not_an_alarm() -> None:
    offline = alarm("device_offline", at("09:00"), AlarmState.RAISED, sev=Severity.TECHNICAL)
    s = summarize(DAY, TZ, at("12:00"), night() + morning(), [offline], heard_ms=at("12:00"))
    assert s.status is Status.FINE and s.device_problem and s.alarms == ()


def test_up_all_night_counts_from_four_and_a_past_day_is_read_to_its_end() -> None:
    every_20_min = range(yesterday("23:00"), at("12:20"), 20 * 60_000)
    awake = [Sign(t, Room.LIVING_ROOM, "motion") for t in every_20_min]
    s = summarize(DAY, TZ, at("12:00", date(2026, 3, 12)), awake, [], heard_ms=at("12:00"))
    assert s.up_ms is not None and at("04:00") <= s.up_ms < at("04:20")
    assert s.status is Status.FINE  # a finished day is never "not up yet"


def test_day_bounds_are_local_midnights() -> None:
    evening, start, end = day_bounds(DAY, TZ)
    assert (start - evening, end - start) == (6 * 3_600_000, 24 * 3_600_000)
    assert datetime.fromtimestamp(start / 1000, TZ).hour == 0


def test_points_become_signs_by_device_room_and_kind() -> None:
    devices = {
        "pir-k": Device("pir-k", H, DeviceKind.MOTION, "pir", Room.KITCHEN),
        "front": Device("front", H, DeviceKind.DOOR, "reed", Room.ENTRANCE),
        "fridge": Device("fridge", H, DeviceKind.DOOR, "reed", Room.KITCHEN),
        "mat": Device("mat", H, DeviceKind.BED, "mat", None),
        "pendant": Device("pendant", H, DeviceKind.PENDANT, "watch", None),
    }
    t = at("07:00")
    points = [
        Point(t + 5, H, "pir-k", 1, "event", {"type": "motion", "state": True}),
        Point(t + 6, H, "pir-k", 2, "event", {"type": "motion", "state": False}),
        Point(t + 3, H, "front", 1, "event", {"type": "door", "state": "open"}),
        Point(t + 4, H, "fridge", 1, "event", {"type": "door", "state": "open"}),
        Point(t + 1, H, "mat", 1, "event", {"type": "bed", "state": False}),
        Point(t + 2, H, "pendant", 1, "event", {"type": "sos"}),
        Point(t + 7, H, "pendant", 2, "reading", {"heart_rate": 70.0}),
        Point(t + 8, H, "gone", 1, "event", {"type": "motion", "state": True}),
    ]
    got = signs(points, devices)
    assert [(s.ts_ms - t, s.kind, s.room, s.front_door, s.in_bed) for s in got] == [
        (1, "bed", Room.BEDROOM, False, False),
        (2, "button", None, False, None),
        (3, "door", Room.ENTRANCE, True, None),
        (4, "door", Room.KITCHEN, False, None),
        (5, "motion", Room.KITCHEN, False, None),
        (8, "motion", None, False, None),
    ]


def test_the_hall_pir_around_the_front_door_is_part_of_the_passage() -> None:
    hall = Room.ENTRANCE
    signs_ = [
        *night(),
        bed(at("07:00"), False),
        m("07:05", Room.KITCHEN),
        Sign(at("14:20"), hall, "motion"),
        door(at("14:21")),
        Sign(at("14:21") + 40_000, hall, "motion"),  # she is seen closing the door behind her
        Sign(at("16:23"), hall, "motion"),  # ... and coming back in, before the door
        door(at("16:23") + 5_000),
        m("16:30", Room.LIVING_ROOM),
    ]
    s = summarize(DAY, TZ, at("18:00"), signs_, [], heard_ms=at("18:00"))
    assert [(o.start_ms, o.end_ms) for o in s.outings] == [(at("14:21"), at("16:23") + 5_000)]
    out = summarize(DAY, TZ, at("15:00"), signs_[:-3], [], heard_ms=at("15:00"))
    assert out.status is Status.OUT


def test_a_morning_then_a_nap_before_one_is_still_up_in_the_morning() -> None:
    day = [
        *night(),
        bed(at("07:03"), False),
        *[m(f"{h:02d}:{mm:02d}", Room.LIVING_ROOM) for h in range(7, 13) for mm in (10, 40)],
        bed(at("12:52"), True),
    ]
    s = summarize(DAY, TZ, at("14:30"), day, [], heard_ms=at("14:30"))
    assert s.up_ms == at("07:03") and s.status is Status.FINE


def test_a_long_night_in_the_bathroom_then_bed_is_not_getting_up() -> None:
    day = [
        *night(),
        bed(at("06:11"), False),
        *[m(f"06:{mm:02d}", Room.BATHROOM) for mm in range(12, 46, 3)],
        bed(at("06:46"), True),
        bed(at("07:16"), False),
        m("07:20", Room.BATHROOM),
        m("07:35", Room.KITCHEN),
    ]
    s = summarize(DAY, TZ, at("09:00"), day, [], heard_ms=at("09:00"))
    assert s.up_ms == at("07:16")
