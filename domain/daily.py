"""One local day of a home read from its signs of life: getting up, meals, outings (pure).

`signs` turns stored points into signs of life (motion, doors, bed, the resident's buttons).
A day is read from the evening before (18:00), so getting up is told apart from a night-time
trip to the toilet. `domain.summary` puts these facts and the alarms into plain words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from itertools import pairwise

from domain.model import Device, DeviceKind, Room
from domain.points import Point

MIN_MS = 60_000
REST_GAP_MS = 45 * MIN_MS  # a silence this long splits the day into spells of activity
IN_BED_GAP_MS = 15 * MIN_MS  # ... and so does this long lying in bed
SHORT_SPELL_MS = 30 * MIN_MS  # a shorter spell that ends in the bedroom is a night-time trip
BACK_TO_BED_MS = 90 * MIN_MS  # a spell shorter than this, then this long back in bed: not up
OUT_AFTER_MS = 10 * MIN_MS  # front door, then this long without a sign inside: out
PASSAGE_MS = 2 * MIN_MS  # front door events this close together are one passage
KITCHEN_GAP_MS = 15 * MIN_MS  # kitchen signs this close together are one stay in the kitchen
MEAL_MIN_MS = 3 * MIN_MS  # a kitchen stay this long (or with MEAL_MIN_SIGNS signs) is a meal
MEAL_MIN_SIGNS = 4
NIGHT_ROOMS = frozenset({Room.BEDROOM, Room.BATHROOM})
UP_FROM_H, UP_UNTIL_H = 4.0, 13.0  # getting up is looked for in this local window
MEALS: tuple[tuple[str, float, float], ...] = (
    ("breakfast", 5.0, 10.5),
    ("lunch", 10.5, 14.5),
    ("dinner", 16.5, 21.5),
)


@dataclass(frozen=True, slots=True)
class Sign:
    ts_ms: int
    room: Room | None
    kind: str  # motion, door, bed, button
    front_door: bool = False
    in_bed: bool | None = None

    @property
    def bedroom(self) -> bool:
        return self.room is Room.BEDROOM or self.in_bed is True


@dataclass(frozen=True, slots=True)
class Span:
    start_ms: int
    end_ms: int | None  # None: still going on (out now)
    label: str = ""  # breakfast, lunch, dinner for meals


def signs(points: Iterable[Point], devices: Mapping[str, Device]) -> list[Sign]:
    """Signs of life among stored points, oldest first; other points are ignored."""
    out: list[Sign] = []
    for p in points:
        if p.measurement != "event":
            continue
        kind, state = p.fields.get("type"), p.fields.get("state")
        device = devices.get(p.device_id)
        room = device.room if device is not None else None
        if kind == "motion" and state is True:
            out.append(Sign(p.ts_ms, room, "motion"))
        elif kind == "door":
            front = device is not None and device.kind is DeviceKind.DOOR
            out.append(Sign(p.ts_ms, room, "door", front and room is Room.ENTRANCE))
        elif kind == "bed" and isinstance(state, bool):
            out.append(Sign(p.ts_ms, room or Room.BEDROOM, "bed", in_bed=state))
        elif kind in ("sos", "cancel"):
            out.append(Sign(p.ts_ms, room, "button"))
    out.sort(key=lambda s: s.ts_ms)
    return out


def day_bounds(day: date, tz: tzinfo) -> tuple[int, int, int]:
    """(read from: 18:00 the evening before, day start, day end) in ms, local midnights."""
    start = datetime.combine(day, time(), tz)
    end = datetime.combine(day + timedelta(days=1), time(), tz)
    evening = datetime.combine(day - timedelta(days=1), time(18), tz)
    return _ms(evening), _ms(start), _ms(end)


# ---- the facts ------------------------------------------------------------------------------


def _spells(seen: Sequence[Sign]) -> list[list[Sign]]:
    """Spells of being up: split by a silence of REST_GAP_MS, or of IN_BED_GAP_MS in bed."""
    spells: list[list[Sign]] = []
    lying = False
    lay_ms: int | None = None  # lay down since the last sign of being up
    beds = [s for s in seen if s.in_bed is not None and s.room is Room.BEDROOM]
    following = {id(a): b for a, b in pairwise(beds)}
    for s in seen:
        if s.in_bed is not None and s.room is Room.BEDROOM:  # a couch's mat is being up
            nxt = following.get(id(s))
            if (
                s.in_bed is False
                and nxt is not None
                and nxt.in_bed
                and (nxt.ts_ms - s.ts_ms < PASSAGE_MS)
            ):
                continue  # a mat's blip: off and on again (turning over)
            lying = s.in_bed
            if lying:
                lay_ms = s.ts_ms
                continue
        elif lying and s.room is Room.BEDROOM:
            continue  # moving in bed
        rested = lay_ms is not None and s.ts_ms - lay_ms >= IN_BED_GAP_MS
        if spells and s.ts_ms - spells[-1][-1].ts_ms < REST_GAP_MS and not rested:
            spells[-1].append(s)
        else:
            spells.append([s])
        lay_ms = None
    return spells


def up_time(seen: Sequence[Sign], day: date, tz: tzinfo, now: int) -> int | None:
    """Start of the first spell in the morning window that is more than a night-time trip:
    it reaches another room than the bedroom, and lasts or does not end in the bedroom."""
    _, start, _ = day_bounds(day, tz)
    lo = start + int(UP_FROM_H * 3_600_000)
    hi = start + int(UP_UNTIL_H * 3_600_000)
    spells = _spells(seen)
    for k, spell in enumerate(spells):
        first, last = spell[0], spell[-1]
        if last.ts_ms < lo or first.ts_ms >= hi:
            continue
        if all(s.bedroom or s.in_bed is False for s in spell):
            continue  # turning over, the bedroom lamp: not up
        if last.ts_ms - first.ts_ms < SHORT_SPELL_MS and last.bedroom:
            continue  # to the toilet and back to bed
        if all(s.room in NIGHT_ROOMS for s in spell) and _back_to_bed(seen, last):
            continue  # a long while in the bathroom, then back to bed: still the night
        rest_ms = (spells[k + 1][0].ts_ms if k + 1 < len(spells) else now) - last.ts_ms
        brief = last.ts_ms - first.ts_ms < BACK_TO_BED_MS
        if brief and _back_to_bed(seen, last) and rest_ms >= BACK_TO_BED_MS:
            continue  # up for a while in the night, then a long sleep again
        if first.ts_ms >= lo:
            return first.ts_ms
        return next(s.ts_ms for s in spell if s.ts_ms >= lo)  # up all night: from 04:00 on
    return None


def _back_to_bed(seen: Sequence[Sign], last: Sign) -> bool:
    """The spell ended in the bedroom, or with lying down right after."""
    if last.bedroom:
        return True
    after = next(
        (
            s
            for s in seen
            if s.ts_ms > last.ts_ms and s.in_bed is not None and s.room is Room.BEDROOM
        ),
        None,
    )
    return after is not None and after.in_bed is True and after.ts_ms - last.ts_ms < 10 * MIN_MS


def meals_of(today: Sequence[Sign], day: date, tz: tzinfo) -> list[Span]:
    stays: list[list[Sign]] = []
    for s in (s for s in today if s.room is Room.KITCHEN):
        if stays and s.ts_ms - stays[-1][-1].ts_ms <= KITCHEN_GAP_MS:
            stays[-1].append(s)
        else:
            stays.append([s])
    _, start, _ = day_bounds(day, tz)
    meals: list[Span] = []
    for label, lo_h, hi_h in MEALS:
        lo, hi = start + int(lo_h * 3_600_000), start + int(hi_h * 3_600_000)
        fits = [
            st
            for st in stays
            if lo <= st[0].ts_ms < hi
            and (st[-1].ts_ms - st[0].ts_ms >= MEAL_MIN_MS or len(st) >= MEAL_MIN_SIGNS)
        ]
        if fits:
            best = max(fits, key=lambda st: (st[-1].ts_ms - st[0].ts_ms, len(st)))
            meals.append(Span(best[0].ts_ms, best[-1].ts_ms, label))
    return meals


def outings_of(seen: Sequence[Sign], start: int, now: int) -> list[Span]:
    """Front door passages with nothing inside for OUT_AFTER_MS until the next passage.

    A passage is the front door with the entrance's own sensors around it (the hall PIR sees
    her before she opens the door and after she closed it): those are not life inside."""
    out: list[Span] = []
    n, i = len(seen), 0
    while i < n:
        if not seen[i].front_door:
            i += 1
            continue
        j = i
        while j + 1 < n and _entry(seen[j + 1]) and seen[j + 1].ts_ms - seen[j].ts_ms <= PASSAGE_MS:
            j += 1
        passage_end = seen[j].ts_ms
        if j + 1 >= n:
            if now - passage_end >= OUT_AFTER_MS:
                out.append(Span(seen[i].ts_ms, None))
            break
        k = j + 1  # the next sign: back through the door (the hall PIR may see her first)?
        while (
            k + 1 < n
            and _entry(seen[k])
            and not seen[k].front_door
            and (seen[k + 1].ts_ms - seen[k].ts_ms <= PASSAGE_MS)
        ):
            k += 1
        back = seen[k].front_door
        if back and seen[j + 1].ts_ms - passage_end >= OUT_AFTER_MS and seen[k].ts_ms >= start:
            out.append(Span(seen[i].ts_ms, seen[k].ts_ms))
            i = k
        else:
            i = j + 1
    return out


def _entry(s: Sign) -> bool:
    return s.front_door or s.room is Room.ENTRANCE


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
