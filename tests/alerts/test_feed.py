from __future__ import annotations

import asyncio
import threading

import pytest

from alerts.feed import RESYNC, FeedClosedError, LocalFeed


def test_thread_subscriber_gets_events_in_order() -> None:
    feed = LocalFeed()
    sub = feed.subscribe()
    for i in range(5):
        feed.publish("alarm", {"i": i})
    got = [sub.get(1.0) for _ in range(5)]
    assert [e.data["i"] for e in got if e] == [0, 1, 2, 3, 4]
    assert got[0] is not None and got[0].json == '{"i":0}'
    assert sub.get(0.01) is None


def test_asyncio_subscriber_is_woken_from_another_thread() -> None:
    feed = LocalFeed()

    async def main() -> list[int]:
        sub = feed.subscribe()
        threading.Timer(0.05, feed.publish, args=("alarm", {"n": 1})).start()
        threading.Timer(0.10, feed.publish, args=("alarm", {"n": 2})).start()
        first = await sub.next(timeout=2.0)
        second = await sub.next(timeout=2.0)
        assert await sub.next(timeout=0.05) is None
        sub.close()
        return [e.data["n"] for e in (first, second) if e]

    assert asyncio.run(main()) == [1, 2]
    assert feed.subscriber_count == 0


def test_slow_subscriber_gets_a_resync_instead_of_unbounded_memory() -> None:
    feed = LocalFeed()
    slow = feed.subscribe(maxsize=3)
    fast = feed.subscribe(maxsize=100)
    for i in range(10):
        feed.publish("alarm", {"i": i})
    kinds = []
    while (event := slow.get(0.01)) is not None:
        kinds.append(event.kind)
    assert RESYNC in kinds
    assert len(kinds) <= 3
    assert slow.resyncs >= 1
    fast_events = []
    while (event := fast.get(0.01)) is not None:
        fast_events.append(event.data["i"])
    assert fast_events == list(range(10))


def test_close_ends_waiting_subscribers() -> None:
    feed = LocalFeed()

    async def main() -> None:
        sub = feed.subscribe()
        asyncio.get_running_loop().call_later(0.05, feed.close)
        with pytest.raises(FeedClosedError):
            await sub.next(timeout=2.0)

    asyncio.run(main())
    with pytest.raises(FeedClosedError):
        feed.subscribe()
