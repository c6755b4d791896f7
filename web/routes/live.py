"""`/api/feed`: the live feed as Server-Sent Events.

The stream opens with a `hello` event once the subscription exists, so a client that loads the
alarm list on `hello` misses nothing. Then one `alarm` event per change, `resync` when this
client fell behind (reload the list), and a comment line every `keepalive_s` seconds.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from alerts.feed import FeedClosedError
from web.app import WebContext
from web.deps import Ctx

router = APIRouter(tags=["live"])


async def _events(ctx: WebContext) -> AsyncIterator[bytes]:
    try:
        sub = ctx.feed.subscribe()
    except FeedClosedError:
        return
    try:
        yield b"retry: 2000\nevent: hello\ndata: {}\n\n"
        while True:
            event = await sub.next(timeout=ctx.keepalive_s)
            if event is None:
                yield b": keepalive\n\n"
                continue
            yield f"id: {event.seq}\nevent: {event.kind}\ndata: {event.json}\n\n".encode()
    except FeedClosedError:
        return
    finally:
        sub.close()


@router.get("/api/feed")
async def feed(ctx: Ctx) -> StreamingResponse:
    return StreamingResponse(
        _events(ctx),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
