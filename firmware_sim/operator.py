"""The simulated call centre of an offline replay: it resolves each alarm half an hour after it
was raised, so a later incident opens a new alarm instead of repeating a stale one (one open
alarm per home and type).

It learns of raised alarms from the alarm service's live feed (it wraps the feed the service
publishes on), so it never has to scan the state store for open alarms.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Any, Protocol

from alerts.feed import Feed, FeedEvent, Subscription

RESOLVES_AFTER_S = 1800.0  # the call centre closes an alarm half an hour after it came


class Resolver(Protocol):
    def resolve(self, alarm_id: str, actor: str, outcome: str, note: str = "") -> Any: ...


class OperatorDesk:
    """A `Feed` that passes everything on and notes each raised alarm for the operator."""

    def __init__(self, feed: Feed, *, after_s: float = RESOLVES_AFTER_S) -> None:
        self.feed = feed
        self.after_ms = int(after_s * 1000)
        self.waiting: deque[tuple[int, str]] = deque()  # (raised_ms, alarm_id), oldest first

    def publish(self, kind: str, data: Mapping[str, Any]) -> FeedEvent:
        if kind == "alarm" and data.get("change") == "raised":
            alarm = data["alarm"]
            self.waiting.append((int(alarm["raised_ms"]), str(alarm["id"])))
        return self.feed.publish(kind, data)

    def subscribe(self, *, maxsize: int = 256) -> Subscription:
        return self.feed.subscribe(maxsize=maxsize)

    def close(self) -> None:
        self.feed.close()

    def resolve_due(self, alarms: Resolver, now_ms: int) -> int:
        """Resolve every alarm raised at least `after_s` ago that is still open."""
        from alerts.service import AlarmConflictError, AlarmNotFoundError

        cutoff = now_ms - self.after_ms
        done = 0
        while self.waiting and self.waiting[0][0] <= cutoff:
            _, alarm_id = self.waiting.popleft()
            try:
                alarms.resolve(alarm_id, "user:sim-operator", "other", "replay")
            except (AlarmConflictError, AlarmNotFoundError):
                continue  # closed already (cancelled, or restored by its detector)
            done += 1
        return done
