"""The family view's API: my relatives, their day in plain words, their alarms (history).

A family member sees only their own relatives (a resident not theirs answers 404 like one that
does not exist); an operator reads the relatives in their communities, an admin any (support).
Integrators see no personal data (403). Every answer is written to the audit log.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from pydantic import BaseModel

from domain.access import HomeScope, Principal, Role, can_see_home
from domain.alarms import Alarm, AlarmState, Category, accepted_by
from domain.daily import day_bounds, signs
from domain.model import Home, Resident
from domain.summary import summarize
from web.app import WebContext
from web.deps import Audit, Ctx, Scoped, require_roles
from web.i18n_family import Lang as LangCode
from web.i18n_family import lang_of, sentence, type_name
from web.routes.family_prefs import Contacts, my_actors, names_for, timeseries

router = APIRouter(prefix="/api/family", tags=["family"])

Reader = Annotated[Principal, Depends(require_roles(Role.FAMILY, Role.ADMIN, Role.OPERATOR))]
ResidentId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.:-]{1,100}$", description="resident id")]
MAX_DAYS_BACK = 3660  # readings are not kept longer than this
Lang = Annotated[str | None, Query(max_length=10, description="zh (default) or en")]


class FamilyRelative(BaseModel):
    resident_id: str
    name: str
    home_id: str
    address: str


class FamilyRelatives(BaseModel):
    relatives: list[FamilyRelative]


class FamilyAlarm(BaseModel):
    id: str
    type: str
    type_name: str
    state: str
    open: bool
    raised_ms: int
    updated_ms: int
    handler: str | None  # actor id (user:..., family:...): who holds it (closed: who took it)
    handler_name: str | None  # "您"/"you" for the reader, else a display name
    mine: bool  # the reader holds it
    can_accept: bool


class FamilySpan(BaseModel):
    start_ms: int
    end_ms: int | None
    label: str


class FamilyPhrase(BaseModel):
    key: str
    params: dict[str, str]


class FamilyDaySummary(BaseModel):
    resident_id: str
    name: str
    date: str
    timezone: str
    status: str
    text: str
    phrases: list[FamilyPhrase]
    up_ms: int | None
    meals: list[FamilySpan]
    outings: list[FamilySpan]
    last_seen_ms: int | None
    last_room: str | None
    device_problem: bool
    alarms: list[FamilyAlarm]


class FamilyAlarmPage(BaseModel):
    resident_id: str
    alarms: list[FamilyAlarm]
    offset: int
    next_offset: int | None


def relative(ctx: WebContext, user: Principal, resident_id: str) -> tuple[Resident, Home]:
    """The resident and home when `user` may read them; 404 alike for missing and hidden."""
    allowed = user.role is not Role.FAMILY or resident_id in user.residents
    resident = ctx.state_store.get_resident(resident_id) if allowed else None
    home = ctx.state_store.get_home(resident.home_id) if resident is not None else None
    if resident is None or home is None or not can_see_home(user, home.home_id, home.community_id):
        raise HTTPException(404, f"no relative {resident_id}")
    return resident, home


@router.get("/relatives")
def relatives(ctx: Ctx, user: Reader, audit: Audit) -> FamilyRelatives:
    """The reader's own relatives (family members); staff have none of their own."""
    out: list[FamilyRelative] = []
    for rid in sorted(user.residents) if user.role is Role.FAMILY else []:
        resident = ctx.state_store.get_resident(rid)
        home = ctx.state_store.get_home(resident.home_id) if resident else None
        if resident is not None and home is not None:
            out.append(FamilyRelative(resident_id=rid, name=resident.name, home_id=home.home_id,
                                address=home.address))  # fmt: skip
    audit.read(user, "resident", [r.resident_id for r in out], detail="family relatives")
    return FamilyRelatives(relatives=out)


@router.get("/relatives/{resident_id}/summary")
def day_summary(
    *,
    request: Request,
    ctx: Ctx,
    contacts: Contacts,
    user: Reader,
    audit: Audit,
    scoped: Scoped,
    resident_id: ResidentId,
    day: Annotated[
        date | None, Query(alias="date", description="local date, default today")
    ] = None,
    lang: Lang = None,
) -> FamilyDaySummary:
    resident, home = relative(ctx, user, resident_id)
    tz = _zone(home)
    now = int(ctx.alarms.clock.now() * 1000)
    today = datetime.fromtimestamp(now / 1000, tz).date()
    day = day or today
    if day > today:
        raise HTTPException(400, f"date: {day} is in the future (today is {today})")
    if (today - day).days > MAX_DAYS_BACK:
        raise HTTPException(400, f"date: at most {MAX_DAYS_BACK} days back")
    evening, start, end = day_bounds(day, tz)
    until = min(now, end)
    ts = timeseries(request)
    if ts is None:  # without readings the day would read "no data": say so instead
        raise HTTPException(503, "no time-series store is attached to this web app")
    # signs of life are events; heartbeats (status) say the devices are alive. The pendant's
    # minute readings are most of a day's points and tell neither: not read (4x faster).
    points = ts.query(home.home_id, evening, until + 1, measurement="event")
    beats = ts.query(home.home_id, start, until + 1, measurement="status")
    devices = {d.device_id: d for d in ctx.state_store.list_devices(home.home_id)}
    heard = max((p.ts_ms for p in (*points, *beats)), default=None)
    found = scoped.alarms(HomeScope(homes=frozenset({home.home_id})), limit=500)
    that_day = [a for a in found if start <= a.raised_ms < end or (a.is_open and a.raised_ms < end)]
    s = summarize(day, tz, now, signs(points, devices), that_day, heard_ms=heard)
    code = lang_of(lang, user.language)
    mine = my_actors(user, home.home_id)
    names = names_for(ctx, contacts, home.home_id, [a for a in that_day if accepted_by(a)])
    me = next((a for a in (accepted_by(x) for x in that_day) if a in mine), user.actor)
    care = [a for a in that_day if a.category is Category.CARE]
    items = [_item(a, user, home, code, mine=mine, names=names) for a in care]
    audit.read(user, "readings", [resident_id], detail=f"family summary {day.isoformat()}")
    if items:
        audit.read(user, "alarm", [i.id for i in items], detail="family summary")
    return FamilyDaySummary(
        resident_id=resident_id,
        name=resident.name,
        date=day.isoformat(),
        timezone=home.timezone,
        status=s.status.value,
        text=sentence(s.phrases, code, me=me, names=names),
        phrases=[FamilyPhrase(key=k, params=dict(p)) for k, p in s.phrases],
        up_ms=s.up_ms,
        meals=[FamilySpan(start_ms=m.start_ms, end_ms=m.end_ms, label=m.label) for m in s.meals],
        outings=[FamilySpan(start_ms=o.start_ms, end_ms=o.end_ms, label="out") for o in s.outings],
        last_seen_ms=s.last_seen_ms,
        last_room=s.last_room.value if s.last_room else None,
        device_problem=s.device_problem,
        alarms=sorted(items, key=lambda i: (not i.open, -i.raised_ms)),
    )


@router.get("/relatives/{resident_id}/alarms")
def alarm_history(
    *,
    ctx: Ctx,
    contacts: Contacts,
    user: Reader,
    audit: Audit,
    scoped: Scoped,
    resident_id: ResidentId,
    offset: Annotated[int, Query(ge=0, le=5000)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    closed: Annotated[bool, Query(description="only alarms that are over")] = False,
    lang: Lang = None,
) -> FamilyAlarmPage:
    """Care alarms of the relative's home, newest first, `limit` at a time."""
    _, home = relative(ctx, user, resident_id)
    scope = HomeScope(homes=frozenset({home.home_id}))
    loaded = scoped.alarms(scope, limit=offset + limit + 50)
    found = [a for a in loaded if a.category is Category.CARE and not (closed and a.is_open)]
    page = found[offset : offset + limit]
    code = lang_of(lang, user.language)
    mine = my_actors(user, home.home_id)
    names = names_for(ctx, contacts, home.home_id, page, closed=True)
    items = [_item(a, user, home, code, mine=mine, names=names) for a in page]
    audit.read(user, "alarm", [i.id for i in items], detail="family history")
    more = len(found) > offset + limit
    return FamilyAlarmPage(resident_id=resident_id, alarms=items, offset=offset,
                     next_offset=offset + limit if more else None)  # fmt: skip


def _item(
    alarm: Alarm,
    user: Principal,
    home: Home,
    code: LangCode,
    *,
    mine: set[str],
    names: dict[str, str],
) -> FamilyAlarm:
    holder = accepted_by(alarm) if alarm.is_open else _last_taker(alarm)
    you = "you" if code == "en" else "您"
    shown = None if holder is None else you if holder in mine else names.get(holder, holder)
    acceptable = alarm.state.value in ("raised", "notified")
    return FamilyAlarm(
        id=alarm.alarm_id,
        type=alarm.type,
        type_name=type_name(alarm.type, code),
        state=alarm.state.value,
        open=alarm.is_open,
        raised_ms=alarm.raised_ms,
        updated_ms=alarm.updated_ms,
        handler=holder,
        handler_name=shown,
        mine=holder is not None and holder in mine,
        can_accept=acceptable and can_see_home(user, home.home_id, home.community_id),
    )


def _last_taker(alarm: Alarm) -> str | None:
    """Who took a closed alarm in hand last (None if nobody did before it closed)."""
    taken = [c.actor for c in alarm.history if c.state is AlarmState.ACCEPTED]
    return taken[-1] if taken else None


def _zone(home: Home) -> ZoneInfo:
    try:
        return ZoneInfo(home.timezone or "Asia/Shanghai")
    except (KeyError, ValueError):
        return ZoneInfo("Asia/Shanghai")
