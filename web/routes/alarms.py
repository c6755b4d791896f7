"""`/api/alarms`: list, read, accept, resolve."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel, Field

from alerts.service import AlarmConflictError, AlarmNotFoundError
from alerts.views import board_order
from domain.alarms import AlarmState, Outcome
from web.deps import Ctx

router = APIRouter(prefix="/api/alarms", tags=["alarms"])

AlarmId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="alarm id")]
Actor = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        pattern=r"^[^\x00-\x1f]+$",
        description="who acts, e.g. user:op1",
    ),
]


class AcceptBody(BaseModel):
    model_config = {"extra": "forbid"}
    actor: Actor
    note: str = Field("", max_length=1000)


class ResolveBody(BaseModel):
    model_config = {"extra": "forbid"}
    actor: Actor
    outcome: Outcome
    note: str = Field("", max_length=1000)


@router.get("")
def list_alarms(
    ctx: Ctx,
    open_only: Annotated[bool, Query(alias="open", description="only open alarms")] = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    alarms = sorted(ctx.alarms.list(open_only=open_only, limit=limit), key=board_order)
    return {"alarms": [ctx.alarms.view(a) for a in alarms]}


@router.get("/{alarm_id}")
def get_alarm(ctx: Ctx, alarm_id: AlarmId) -> dict[str, Any]:
    alarm = ctx.alarms.get(alarm_id)
    if alarm is None:
        raise HTTPException(404, f"no alarm {alarm_id}")
    return ctx.alarms.view(alarm)


@router.post("/{alarm_id}/accept")
def accept_alarm(ctx: Ctx, alarm_id: AlarmId, body: AcceptBody) -> dict[str, Any]:
    try:
        alarm = ctx.alarms.accept(alarm_id, body.actor, body.note)
    except AlarmNotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc
    except AlarmConflictError as exc:
        raise HTTPException(409, str(exc)) from exc
    return ctx.alarms.view(alarm)


@router.post("/{alarm_id}/resolve")
def resolve_alarm(ctx: Ctx, alarm_id: AlarmId, body: ResolveBody) -> dict[str, Any]:
    try:
        alarm = ctx.alarms.resolve(alarm_id, body.actor, body.outcome.value, body.note)
    except AlarmNotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc
    except AlarmConflictError as exc:
        raise HTTPException(409, str(exc)) from exc
    return ctx.alarms.view(alarm)


# in progress, drop (give back: escalation starts again), cancel (the resident) -- issue 6
LIFECYCLE_ACTIONS = {
    "progress": AlarmState.IN_PROGRESS,
    "drop": AlarmState.NOTIFIED,
    "cancel": AlarmState.CANCELLED,
}


@router.post("/{alarm_id}/{action}")
def lifecycle_action(
    ctx: Ctx,
    alarm_id: AlarmId,
    action: Annotated[str, Path(pattern="^(progress|drop|cancel)$")],
    body: AcceptBody,
) -> dict[str, Any]:
    try:
        alarm = ctx.alarms.mark(alarm_id, LIFECYCLE_ACTIONS[action], body.actor, body.note)
    except AlarmNotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc
    except AlarmConflictError as exc:
        raise HTTPException(409, str(exc)) from exc
    return ctx.alarms.view(alarm)
