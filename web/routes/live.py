"""`/api/feed`: the live feed as Server-Sent Events, filtered by what the caller may see.

The stream opens with a `hello` event once the subscription exists, so a client that loads the
alarm list on `hello` misses nothing. Then one `alarm` event per change of an alarm in a home
the caller may see, `resync` when this client fell behind (reload the list), and a comment line
every `keepalive_s` seconds. The caller's credentials are checked again every few seconds: a
logged-out, revoked or disabled caller's stream ends with a `logout` event, and a changed scope
applies at once. Every delivered alarm is written to the audit log.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from functools import partial
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse

from alerts.feed import RESYNC, FeedClosedError, FeedEvent
from domain.access import HomeScope, Principal, home_scope
from web.app import WebContext
from web.auth.trail import AuditTrail
from web.deps import Audit, Ctx, CurrentUser, authenticate

router = APIRouter(tags=["live"])

RECHECK_S = 5.0


def home_of(data: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(home_id, community_id) an event is about; alarm events carry both in their view."""
    alarm = data.get("alarm")
    if isinstance(alarm, Mapping):
        home = alarm.get("home")
        community = home.get("community_id") if isinstance(home, Mapping) else None
        return alarm.get("home_id"), community
    return data.get("home_id"), data.get("community_id")


def visible(event: FeedEvent, scope: HomeScope) -> bool:
    if event.kind == RESYNC or scope.all:
        return True
    home_id, community_id = home_of(event.data)
    return home_id is not None and scope.allows(home_id, community_id)


async def _still(request: Request, user: Principal) -> Principal | None:
    try:
        found = await authenticate(request)
    except HTTPException:
        return None
    if found is None or found[0].user_id != user.user_id:
        return None
    return found[0]


async def _events(
    ctx: WebContext, request: Request, user: Principal, audit: AuditTrail
) -> AsyncIterator[bytes]:
    try:
        sub = ctx.feed.subscribe()
    except FeedClosedError:
        return
    scope = home_scope(user)
    loop = asyncio.get_running_loop()
    recheck_s = min(RECHECK_S, ctx.keepalive_s)
    checked = time.monotonic()
    try:
        yield b"retry: 2000\nevent: hello\ndata: {}\n\n"
        while True:
            event = await sub.next(timeout=ctx.keepalive_s)
            if time.monotonic() - checked >= recheck_s:
                current = await _still(request, user)
                if current is None:
                    yield b"event: logout\ndata: {}\n\n"
                    return
                user, scope, checked = current, home_scope(current), time.monotonic()
            if event is None:
                yield b": keepalive\n\n"
                continue
            if not visible(event, scope):
                continue
            alarm = event.data.get("alarm")
            if isinstance(alarm, Mapping) and "id" in alarm:  # written beside, not before, the
                ids = [str(alarm["id"])]  # event: delivery is not delayed by the database
                loop.run_in_executor(None, partial(audit.read, user, "alarm", ids, detail="feed"))
            yield f"id: {event.seq}\nevent: {event.kind}\ndata: {event.json}\n\n".encode()
    except FeedClosedError:
        return
    finally:
        sub.close()


@router.get("/api/feed")
async def feed(request: Request, ctx: Ctx, user: CurrentUser, audit: Audit) -> StreamingResponse:
    return StreamingResponse(
        _events(ctx, request, user, audit),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
