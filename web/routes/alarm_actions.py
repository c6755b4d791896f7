"""Alarm actions beyond accept and resolve: the call log and dispatching emergency services.

`POST /api/alarms/{id}/calls` logs who called whom and how it went; `POST
/api/alarms/{id}/dispatch` asks 120 to go, with the exact location (the home, or the pendant's
last fix when the resident is out) and takes charge of the alarm (accepted, then in progress).
Both are published on the live feed as alarm changes ("call", "dispatch"), so every operator's
board shows them at once. This router must be included before `web.routes.alarms` (whose
`/{alarm_id}/{action}` would otherwise catch these paths).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path

from alerts.service import AlarmConflictError
from domain.access import Principal, Role, can_act_on_alarm
from domain.alarms import Alarm, AlarmState
from domain.calls import CallEntry, Dispatch, dispatch_location, is_out
from domain.clock import now_ms
from domain.model import Home
from web.app import WebContext
from web.deps import Audit, Ctx, CurrentUser
from web.routes.board_data import BoardParts, Parts, device_health
from web.routes.board_models import (
    ActionsOut,
    CallBody,
    CallOut,
    DispatchBody,
    DispatchOut,
)
from web.routes.homes import location_out

router = APIRouter(prefix="/api/alarms", tags=["alarms"])

AlarmId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="alarm id")]


def _alarm(
    ctx: WebContext, parts: BoardParts, user: Principal, alarm_id: str
) -> tuple[Alarm, Home]:
    alarm = ctx.alarms.get(alarm_id)
    home = None if alarm is None else parts.state.get_home(alarm.home_id)
    if alarm is None or home is None or not can_act_on_alarm(user, home.home_id, home.community_id):
        raise HTTPException(404, f"no alarm {alarm_id}")
    return alarm, home


def call_out(e: CallEntry) -> CallOut:
    return CallOut(
        entry_id=e.entry_id, alarm_id=e.alarm_id, at_ms=e.at_ms, caller=e.caller, callee=e.callee,
        callee_name=e.callee_name, number=e.number, result=e.result, note=e.note,
    )  # fmt: skip


def dispatch_out(d: Dispatch) -> DispatchOut:
    out = d.location.source.value == "pendant"
    return DispatchOut(
        dispatch_id=d.dispatch_id, alarm_id=d.alarm_id, at_ms=d.at_ms, actor=d.actor,
        service=d.service, location=location_out(d.location, out), note=d.note,
    )  # fmt: skip


@router.get("/{alarm_id}/actions", response_model=ActionsOut)
def actions(
    *, ctx: Ctx, parts: Parts, user: CurrentUser, audit: Audit, alarm_id: AlarmId
) -> ActionsOut:
    """The alarm's call log and dispatches, oldest first."""
    _alarm(ctx, parts, user, alarm_id)
    result = ActionsOut(
        alarm_id=alarm_id,
        calls=[call_out(c) for c in parts.board.calls(alarm_id)],
        dispatches=[dispatch_out(d) for d in parts.board.dispatches(alarm_id)],
    )
    audit.read(user, "alarm", [alarm_id], detail="actions")
    return result


@router.post("/{alarm_id}/calls", response_model=CallOut, status_code=201)
def log_call(
    *, ctx: Ctx, parts: Parts, user: CurrentUser, audit: Audit, alarm_id: AlarmId, body: CallBody
) -> CallOut:
    alarm, home = _alarm(ctx, parts, user, alarm_id)
    entry = CallEntry(
        uuid.uuid4().hex, alarm_id, home.home_id, now_ms(ctx.alarms.clock), user.actor,
        body.callee, body.callee_name, body.number, body.result, body.note,
    )  # fmt: skip
    parts.board.add_call(entry)
    out = call_out(entry)
    audit.write(user, "alarm", [alarm_id], detail=f"call {body.callee} {body.result}")
    ctx.feed.publish(
        "alarm",
        {"change": "call", "alarm": ctx.alarms.view(alarm), "call": out.model_dump(mode="json")},
    )
    return out


@router.post("/{alarm_id}/dispatch", response_model=DispatchOut, status_code=201)
def dispatch(
    *,
    ctx: Ctx,
    parts: Parts,
    user: CurrentUser,
    audit: Audit,
    alarm_id: AlarmId,
    body: DispatchBody,
) -> DispatchOut:
    """Send emergency services to the exact location; the caller takes charge of the alarm."""
    if user.role not in (Role.ADMIN, Role.OPERATOR):
        raise HTTPException(403, "only operators and admins dispatch emergency services")
    alarm, home = _alarm(ctx, parts, user, alarm_id)
    if not alarm.is_open:
        raise HTTPException(409, f"alarm {alarm_id} is closed ({alarm.state.value})")
    now = now_ms(ctx.alarms.clock)
    _, fix = device_health(
        parts.timeseries, home.home_id, parts.state.list_devices(home.home_id), now
    )
    out = fix is not None and is_out(home.lat, home.lon, fix)
    where = dispatch_location(home.address, home.lat, home.lon, fix, out)
    record = Dispatch(uuid.uuid4().hex, alarm_id, home.home_id, now, user.actor, body.service,
                      where, body.note)  # fmt: skip
    parts.board.add_dispatch(record)
    try:
        if alarm.state in (AlarmState.RAISED, AlarmState.NOTIFIED):
            alarm = ctx.alarms.accept(alarm_id, user.actor, f"dispatch {body.service}")
        if alarm.state is AlarmState.ACCEPTED:
            alarm = ctx.alarms.mark(alarm_id, AlarmState.IN_PROGRESS, user.actor,
                                    f"dispatch {body.service}")  # fmt: skip
    except AlarmConflictError:  # someone else took it meanwhile: the dispatch stands
        alarm = ctx.alarms.get(alarm_id) or alarm
    result = dispatch_out(record)
    audit.write(user, "alarm", [alarm_id], detail=f"dispatch {body.service} {where.source}")
    ctx.feed.publish(
        "alarm",
        {
            "change": "dispatch",
            "alarm": ctx.alarms.view(alarm),
            "dispatch": result.model_dump(mode="json"),
        },
    )
    return result
