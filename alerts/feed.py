"""The live feed: every alarm change, pushed to whoever watches (the board's SSE stream).

`Feed` is the small interface; `LocalFeed` is the in-process implementation: thread-safe
`publish` from any thread (ingest's worker, the web's event loop), subscribers that either
`await sub.next()` on an asyncio loop or block on `sub.get()` in a thread. Each subscriber has a
bounded queue: one that falls behind gets its queue replaced by a single `resync` event (the
board then reloads the list) instead of holding memory or slowing the publisher. A later
multi-process setup can implement `Feed` on MQTT with the same event JSON.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from prometheus_client import Counter, Gauge

SUBSCRIBERS = Gauge("anju_feed_subscribers", "live feed subscribers")
RESYNCS = Counter("anju_feed_resyncs_total", "subscribers that fell behind and had to resync")

RESYNC = "resync"


class FeedClosedError(Exception):
    """The feed or the subscription was closed."""


@dataclass(frozen=True, slots=True)
class FeedEvent:
    seq: int
    kind: str  # "alarm" (raised, updated, accepted, resolved) or "resync"
    data: Mapping[str, Any]
    json: str  # `data` encoded once for every subscriber
    published: float  # time.time() when published


class Subscription(Protocol):
    async def next(self, timeout: float | None = None) -> FeedEvent | None:
        """The next event, or None after `timeout` seconds; FeedClosedError when closed."""
        ...

    def get(self, timeout: float | None = None) -> FeedEvent | None:
        """Blocking variant for threads."""
        ...

    def close(self) -> None: ...


class Feed(Protocol):
    def publish(self, kind: str, data: Mapping[str, Any]) -> FeedEvent: ...

    def subscribe(self, *, maxsize: int = 256) -> Subscription: ...

    def close(self) -> None:
        """End every subscription (server shutdown): streams finish instead of hanging."""
        ...


class LocalSubscription:
    def __init__(self, feed: LocalFeed, maxsize: int, loop: asyncio.AbstractEventLoop | None):
        self._feed = feed
        self._maxsize = maxsize
        self._items: deque[FeedEvent] = deque()
        self._cond = threading.Condition()
        self._loop = loop
        self._wakeup = asyncio.Event()
        self._closed = False
        self.resyncs = 0

    def push(self, event: FeedEvent) -> None:
        with self._cond:
            if self._closed:
                return
            if len(self._items) >= self._maxsize:
                self._items.clear()
                self._items.append(self._feed.resync_event())
                self.resyncs += 1
                RESYNCS.inc()
            else:
                self._items.append(event)
            self._cond.notify_all()
        self._wake()

    def _wake(self) -> None:
        if self._loop is None:
            return
        with contextlib.suppress(RuntimeError):  # loop already closed: nobody waits any more
            self._loop.call_soon_threadsafe(self._wakeup.set)

    def _pop(self) -> FeedEvent | None:
        with self._cond:
            if self._items:
                return self._items.popleft()
            if self._closed:
                raise FeedClosedError
            return None

    async def next(self, timeout: float | None = None) -> FeedEvent | None:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            self._wakeup.clear()
            event = self._pop()
            if event is not None:
                return event
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), left)

    def get(self, timeout: float | None = None) -> FeedEvent | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while not self._items and not self._closed:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return None
                self._cond.wait(left)
        return self._pop()

    def close(self) -> None:
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._cond.notify_all()
        self._feed.unsubscribe(self)
        self._wake()


class LocalFeed:
    """In-process pub/sub for one Anju process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: list[LocalSubscription] = []
        self._seq = itertools.count(1)
        self._closed = False

    def publish(self, kind: str, data: Mapping[str, Any]) -> FeedEvent:
        event = self._event(kind, data)
        with self._lock:
            subs = list(self._subs)
        for sub in subs:
            sub.push(event)
        return event

    def resync_event(self) -> FeedEvent:
        return self._event(RESYNC, {})

    def _event(self, kind: str, data: Mapping[str, Any]) -> FeedEvent:
        encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        return FeedEvent(next(self._seq), kind, data, encoded, time.time())

    def subscribe(self, *, maxsize: int = 256) -> LocalSubscription:
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        sub = LocalSubscription(self, maxsize, loop)
        with self._lock:
            if self._closed:
                raise FeedClosedError
            self._subs.append(sub)
            SUBSCRIBERS.set(len(self._subs))
        return sub

    def unsubscribe(self, sub: LocalSubscription) -> None:
        with self._lock:
            if sub in self._subs:
                self._subs.remove(sub)
            SUBSCRIBERS.set(len(self._subs))

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subs)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            subs = list(self._subs)
        for sub in subs:
            sub.close()
