"""`/api/feed`: the live feed as Server-Sent Events, filtered by what the caller may see.

The stream opens with a `hello` event once the subscription exists, so a client that loads the
alarm list on `hello` misses nothing. Then one `alarm` event per change of an alarm in a home
the caller may see, `resync` when this client fell behind (reload the list), and a comment line
every `keepalive_s` seconds. The caller's credentials are checked again every few seconds: a
logged-out, revoked or disabled caller's stream ends with a `logout` event, and a changed scope
applies at once. Every delivered alarm is written to the audit log: the ids delivered within
a second go into one row (written beside the stream, not before an event), so a burst of alarms
costs a few commits, not one per event competing with the alarms' own writes.
"""

from __future__ import annotations

import asyncio
import math
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
AUDIT_EVERY_S = 1.0  # delivered alarm ids are audited together at most this long after
AUDIT_MAX_IDS = 200  # ... or as soon as this many have been delivered


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


class _Delivered:
    """Alarm ids delivered to one stream, audited together (beside the stream, not before)."""

    def __init__(self, audit: AuditTrail, loop: asyncio.AbstractEventLoop) -> None:
        self.audit = audit
        self.loop = loop
        self.ids: list[str] = []
        self.due = math.inf

    def add(self, alarm_id: str) -> None:
        self.ids.append(alarm_id)
        self.due = min(self.due, time.monotonic() + AUDIT_EVERY_S)

    def wait_s(self) -> float:
        return max(0.0, self.due - time.monotonic())

    def write_if_due(self, user: Principal) -> None:
        if len(self.ids) >= AUDIT_MAX_IDS or time.monotonic() >= self.due:
            self.write(user)

    def write(self, user: Principal) -> None:
        self.due = math.inf
        if not self.ids:
            return
        ids, self.ids = self.ids, []
        write = partial(self.audit.read, user, "alarm", ids, detail="feed")
        try:
            self.loop.run_in_executor(None, write)
        except RuntimeError:  # the executor is shut down (server stopping): write here
            write()


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
    checked = sent = time.monotonic()
    delivered = _Delivered(audit, loop)
    try:
        # when the subscription began (server wall clock): a list read after it misses nothing
        hello = f'{{"at_ms": {int(time.time() * 1000)}}}'
        yield f"retry: 2000\nevent: hello\ndata: {hello}\n\n".encode()
        while True:
            event = await sub.next(timeout=min(ctx.keepalive_s, delivered.wait_s()))
            delivered.write_if_due(user)
            if time.monotonic() - checked >= recheck_s:
                current = await _still(request, user)
                if current is None:
                    yield b"event: logout\ndata: {}\n\n"
                    return
                user, scope, checked = current, home_scope(current), time.monotonic()
            if event is None:
                if time.monotonic() - sent >= ctx.keepalive_s:
                    sent = time.monotonic()
                    yield b": keepalive\n\n"
                continue
            if not visible(event, scope):
                continue
            alarm = event.data.get("alarm")
            if isinstance(alarm, Mapping) and "id" in alarm:
                delivered.add(str(alarm["id"]))
            sent = time.monotonic()
            yield f"id: {event.seq}\nevent: {event.kind}\ndata: {event.json}\n\n".encode()
            delivered.write_if_due(user)
    except FeedClosedError:
        return
    finally:
        sub.close()
        delivered.write(user)


@router.get("/api/feed")
async def feed(request: Request, ctx: Ctx, user: CurrentUser, audit: Audit) -> StreamingResponse:
    return StreamingResponse(
        _events(ctx, request, user, audit),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
