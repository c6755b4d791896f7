"""A relative's day in plain facts and calm words: up at, meals, outings, alarms and who
handles them (pure).

`summarize` reads one local day of signs of life (domain.daily) with the home's alarms into a
`DaySummary` whose `phrases` are language-free (key, params) pairs; the web layer puts them
into Chinese or English.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from enum import StrEnum

from domain.alarms import Alarm, Category, accepted_by
from domain.daily import Sign, Span, day_bounds, meals_of, outings_of, up_time
from domain.model import Room

SILENT_DATA_MS = 3 * 3_600_000  # daytime: nothing at all from the home this long is a device issue


class Status(StrEnum):
    """The headline, most pressing first."""

    ALARM = "alarm"  # an open care alarm
    NO_DATA = "no_data"  # nothing heard from the sensors: probably a device problem
    NOT_UP = "not_up"  # past the usual hour and no sign of getting up
    OUT = "out"  # out of the house now
    RESTING = "resting"  # early morning, still in bed
    FINE = "fine"


@dataclass(frozen=True, slots=True)
class AlarmNote:
    alarm_id: str
    type: str
    state: str
    raised_ms: int
    open: bool
    handler: str | None  # actor who holds it now (user:..., family:...), None if nobody


Phrase = tuple[str, dict[str, str]]


@dataclass(frozen=True, slots=True)
class DaySummary:
    day: date
    status: Status
    up_ms: int | None
    meals: tuple[Span, ...]
    outings: tuple[Span, ...]
    last_seen_ms: int | None
    last_room: Room | None
    alarms: tuple[AlarmNote, ...]
    device_problem: bool
    phrases: tuple[Phrase, ...] = field(default=())


def summarize(
    day: date,
    tz: tzinfo,
    now_ms: int,
    day_signs: Sequence[Sign],
    alarms: Sequence[Alarm],
    *,
    heard_ms: int | None,
    not_up_by_h: float = 10.0,
) -> DaySummary:
    """The summary of `day` as known at `now_ms`.

    `day_signs`: signs from `day_bounds(...)[0]` on; later ones than `now_ms` are ignored.
    `alarms`: the home's alarms raised that day and any still open. `heard_ms`: the last time
    anything at all (heartbeats too) came from the home, None if never.
    """
    _, start, end = day_bounds(day, tz)
    now = min(now_ms, end)
    seen = [s for s in day_signs if s.ts_ms <= now]
    up = up_time(seen, day, tz, now)
    meals = meals_of([s for s in seen if s.ts_ms >= start], day, tz)
    outings = outings_of(seen, start, now)
    out_now = bool(outings) and outings[-1].end_ms is None
    today = [s for s in seen if s.ts_ms >= start]
    last = today[-1] if today else None
    notes = tuple(_note(a) for a in sorted(alarms, key=lambda a: a.raised_ms))
    care = [n for n, a in zip(notes, sorted(alarms, key=lambda a: a.raised_ms), strict=True)
            if a.category is Category.CARE]  # fmt: skip
    technical_open = any(a.is_open and a.category is Category.TECHNICAL for a in alarms)
    hour = 24.0 if now_ms >= end else _hour(now, tz)
    late = hour >= not_up_by_h
    daytime = 7.0 <= hour < 22.0
    nothing_today = heard_ms is None or heard_ms < start
    gone_quiet = heard_ms is not None and daytime and now - heard_ms > SILENT_DATA_MS
    device_problem = technical_open or (nothing_today and late) or (gone_quiet and not out_now)
    if any(n.open for n in care):
        status = Status.ALARM
    elif device_problem and not today:
        status = Status.NO_DATA
    elif up is None and not out_now and late:
        status = Status.NOT_UP
    elif out_now:
        status = Status.OUT
    elif up is None:
        status = Status.RESTING
    else:
        status = Status.FINE
    summary = DaySummary(
        day, status, up, tuple(meals), tuple(outings),
        last.ts_ms if last else None, last.room if last else None,
        tuple(care), device_problem,
    )  # fmt: skip
    return _with_phrases(summary, tz, heard_ms, now)


# ---- the facts ------------------------------------------------------------------------------


def _note(alarm: Alarm) -> AlarmNote:
    return AlarmNote(
        alarm.alarm_id, alarm.type, alarm.state.value, alarm.raised_ms, alarm.is_open,
        accepted_by(alarm),
    )  # fmt: skip


# ---- the words (language-free) -------------------------------------------------------------


def _with_phrases(s: DaySummary, tz: tzinfo, heard_ms: int | None, now: int) -> DaySummary:
    p: list[Phrase] = []

    def hm(ms: int) -> str:
        return hhmm(ms, tz)

    for a in s.alarms:
        if not a.open:
            p.append(("alarm_closed", {"type": a.type, "time": hm(a.raised_ms)}))
        elif a.handler is None:
            p.append(("alarm_open", {"type": a.type, "time": hm(a.raised_ms)}))
        else:
            key = "alarm_in_progress" if a.state == "in_progress" else "alarm_taken"
            p.append((key, {"type": a.type, "time": hm(a.raised_ms), "who": a.handler}))
    if s.status is Status.NO_DATA:
        p.append(("no_data_today", {}))
    if s.up_ms is not None:
        p.append(("up", {"time": hm(s.up_ms)}))
    elif s.status is Status.NOT_UP:
        p.append(("not_up", {}))
    elif s.status is Status.RESTING:
        p.append(("resting", {}))
    events: list[tuple[int, Phrase]] = []
    for m in s.meals:
        assert m.end_ms is not None
        events.append((m.start_ms, (m.label, {"from": hm(m.start_ms), "to": hm(m.end_ms)})))
    for o in s.outings:
        if o.end_ms is None:  # "out now (left at 09:30)" says when she went
            events.append((now, ("out_now", {"time": hm(o.start_ms)})))
            continue
        if o.start_ms >= day_bounds(s.day, tz)[1]:
            events.append((o.start_ms, ("went_out", {"time": hm(o.start_ms)})))
        events.append((o.end_ms, ("back_home", {"time": hm(o.end_ms)})))
    p.extend(phrase for _, phrase in sorted(events, key=lambda e: e[0]))
    if s.device_problem and s.status is not Status.NO_DATA:
        since = {"time": hm(heard_ms)} if heard_ms is not None else {}
        p.append(("device_problem", since))
    if s.last_seen_ms is not None and s.status in (Status.NOT_UP, Status.ALARM):
        room = s.last_room.value if s.last_room else ""
        p.append(("last_seen", {"time": hm(s.last_seen_ms), "room": room}))
    if s.status is Status.FINE and not s.device_problem:
        p.append(("all_fine_now" if s.alarms else "all_fine", {}))
    return DaySummary(
        s.day, s.status, s.up_ms, s.meals, s.outings, s.last_seen_ms, s.last_room,
        s.alarms, s.device_problem, tuple(p),
    )  # fmt: skip


def hhmm(ms: int, tz: tzinfo) -> str:
    return datetime.fromtimestamp(ms / 1000, tz).strftime("%H:%M")


def _hour(ms: int, tz: tzinfo) -> float:
    moment = datetime.fromtimestamp(ms / 1000, tz)
    return moment.hour + moment.minute / 60
