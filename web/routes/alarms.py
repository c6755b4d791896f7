"""`/api/alarms`: list, read, accept, resolve — only alarms of homes the caller may see.

The list is filtered by the caller's scope in the query and paged by key (`cursor`, `next`: at
most 200 alarms a request); an alarm outside the scope answers 404 (its existence is not
revealed). The actor of an action is the signed-in user; the old `actor` body field is accepted
only when it names that same user. Every answer is written to the audit log.
"""

from __future__ import annotations

import base64
import binascii
import re
import time
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, HTTPException, Path, Query, Response
from pydantic import BaseModel, Field, TypeAdapter

from alerts.service import AlarmConflictError, AlarmNotFoundError
from domain.access import Principal, can_act_on_alarm, can_see_home, home_scope
from domain.alarms import Alarm, AlarmState, Outcome
from stores.state.alarm_scope import PageKey
from web.app import WebContext
from web.auth.audit_after import read_after
from web.deps import Audit, Ctx, CurrentUser, Scoped
from web.errors import MAX_SAFE

router = APIRouter(prefix="/api/alarms", tags=["alarms"])

AlarmId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="alarm id")]
Actor = Annotated[
    str | None,
    Field(
        None,
        min_length=1,
        max_length=100,
        pattern=r"^[^\x00-\x1f]+$",
        description="deprecated: the actor is the signed-in user (user:<username>)",
    ),
]


class AcceptBody(BaseModel):
    model_config = {"extra": "forbid"}
    actor: Actor = None
    note: str = Field("", max_length=1000)


class ResolveBody(BaseModel):
    model_config = {"extra": "forbid"}
    actor: Actor = None
    outcome: Outcome
    note: str = Field("", max_length=1000)


def visible_alarm(ctx: WebContext, user: Principal, alarm_id: str) -> Alarm:
    """The alarm when `user` may see it; 404 alike for missing and hidden alarms."""
    alarm = ctx.alarms.get(alarm_id)
    if alarm is not None:
        home = ctx.alarms.home_info(alarm.home_id)
        if can_see_home(user, alarm.home_id, home.community_id if home else None):
            return alarm
    raise HTTPException(404, f"no alarm {alarm_id}")


def actable_alarm(ctx: WebContext, user: Principal, alarm_id: str, actor: str | None) -> str:
    """404 when hidden, 403 when visible but not the user's to act on; returns the actor."""
    alarm = visible_alarm(ctx, user, alarm_id)
    home = ctx.alarms.home_info(alarm.home_id)
    if not can_act_on_alarm(user, alarm.home_id, home.community_id if home else None):
        raise HTTPException(403, "you may not act on this alarm")
    if actor is not None and actor != user.actor:
        raise HTTPException(400, f"actor: actions are taken as the signed-in user ({user.actor})")
    return user.actor


MAX_PAGE = 200
_LIST = TypeAdapter(dict[str, Any])
_CURSOR = re.compile(r"(0|[1-9][0-9]{0,15}):([^\x00-\x1f]{1,64})")


class AlarmPage(BaseModel):
    """One page of alarms (documentation of the answer; the route serialises it itself)."""

    alarms: list[dict[str, Any]] = Field(
        description="alarms as GET /api/alarms/{id} shows them, newest first "
        "(raised_ms desc, then id desc); the board orders them itself"
    )
    next: str | None = Field(
        description="pass as `cursor` for the next page; null on the last page"
    )


def encode_cursor(key: PageKey) -> str:
    """Opaque to callers: base64url of `raised_ms:alarm_id`, unpadded."""
    raw = f"{key.raised_ms}:{key.alarm_id}".encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> PageKey:
    """The key a `next` encoded; 400 for anything else."""
    try:
        if len(cursor) > 200 or not cursor.isascii():
            raise ValueError
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, binascii.Error):
        raise HTTPException(400, "cursor: not one this API gave (pass `next` as is)") from None
    found = _CURSOR.fullmatch(raw)
    if found is None or int(found[1]) > MAX_SAFE:
        raise HTTPException(400, "cursor: not one this API gave (pass `next` as is)")
    return PageKey(int(found[1]), found[2])


@router.get(
    "",
    response_model=AlarmPage,
    description=f"""Alarms of the homes the caller may see, newest first (raised_ms desc, then
id desc), one page at a time: `limit` alarms (default 100, at most {MAX_PAGE}) and `next`, the
cursor of the following page (null on the last). To read them all, call again with
`cursor=<next>` until `next` is null; keyset paging: an alarm raised meanwhile is not on a later
page (the live feed, `/api/feed`, brings it) and none is listed twice. `X-Read-Ms` (header):
server time just before the page was read.""",
)
def list_alarms(
    *,
    ctx: Ctx,
    user: CurrentUser,
    audit: Audit,
    scoped: Scoped,
    tasks: BackgroundTasks,
    open_only: Annotated[bool, Query(alias="open", description="only open alarms")] = False,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="alarms per page")] = 100,
    cursor: Annotated[
        str | None, Query(description="`next` of the previous page (opaque); none: the first")
    ] = None,
) -> Response:
    after = None if cursor is None else decode_cursor(cursor)
    read_ms = int(time.time() * 1000)  # before the query (server wall clock; see /api/feed hello)
    alarms, last = scoped.alarm_page(
        home_scope(user), open_only=open_only, limit=limit, after=after
    )
    read_after(tasks, audit, user, "alarm", [a.alarm_id for a in alarms])
    page = {
        "alarms": ctx.alarms.views(alarms, scoped.homes_of),
        "next": None if last is None else encode_cursor(last),
    }
    body = _LIST.dump_json(page)
    # serialised here in one pass: FastAPI's jsonable_encoder walked 500 alarms in ~180 ms
    return Response(body, media_type="application/json", headers={"X-Read-Ms": str(read_ms)})


@router.get("/{alarm_id}")
def get_alarm(ctx: Ctx, user: CurrentUser, audit: Audit, alarm_id: AlarmId) -> dict[str, Any]:
    alarm = visible_alarm(ctx, user, alarm_id)
    audit.read(user, "alarm", [alarm_id])
    return ctx.alarms.view(alarm)


@router.post("/{alarm_id}/accept")
def accept_alarm(
    ctx: Ctx, user: CurrentUser, audit: Audit, alarm_id: AlarmId, body: AcceptBody
) -> dict[str, Any]:
    actor = actable_alarm(ctx, user, alarm_id, body.actor)
    try:
        alarm = ctx.alarms.accept(alarm_id, actor, body.note)
    except AlarmNotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc
    except AlarmConflictError as exc:
        raise HTTPException(409, str(exc)) from exc
    audit.read(user, "alarm", [alarm_id], detail="accept")
    return ctx.alarms.view(alarm)


@router.post("/{alarm_id}/resolve")
def resolve_alarm(
    ctx: Ctx, user: CurrentUser, audit: Audit, alarm_id: AlarmId, body: ResolveBody
) -> dict[str, Any]:
    actor = actable_alarm(ctx, user, alarm_id, body.actor)
    try:
        alarm = ctx.alarms.resolve(alarm_id, actor, body.outcome.value, body.note)
    except AlarmNotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc
    except AlarmConflictError as exc:
        raise HTTPException(409, str(exc)) from exc
    audit.read(user, "alarm", [alarm_id], detail="resolve")
    return ctx.alarms.view(alarm)


# in progress, drop (give back: escalation starts again), cancel (the resident) -- issue 6
LIFECYCLE_ACTIONS = {
    "progress": AlarmState.IN_PROGRESS,
    "drop": AlarmState.NOTIFIED,
    "cancel": AlarmState.CANCELLED,
}


@router.post("/{alarm_id}/{action}")
def lifecycle_action(
    *,
    ctx: Ctx,
    user: CurrentUser,
    audit: Audit,
    alarm_id: AlarmId,
    action: Annotated[str, Path(pattern="^(progress|drop|cancel)$")],
    body: AcceptBody,
) -> dict[str, Any]:
    if action == "cancel":  # the resident's word, passed on by the signed-in user
        if body.actor not in (None, "resident"):
            raise HTTPException(400, "actor: a cancel is the resident's (leave actor out)")
        actor = f"resident via {actable_alarm(ctx, user, alarm_id, None)}"
    else:
        actor = actable_alarm(ctx, user, alarm_id, body.actor)
    try:
        alarm = ctx.alarms.mark(alarm_id, LIFECYCLE_ACTIONS[action], actor, body.note)
    except AlarmNotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc
    except AlarmConflictError as exc:
        raise HTTPException(409, str(exc)) from exc
    audit.read(user, "alarm", [alarm_id], detail=action)
    return ctx.alarms.view(alarm)
