"""Runs the engine in production: follows the live feed and ticks the timers in one thread.

Alarm changes arrive on the feed (raised, accepted, dropped, resolved, cancelled); timers are
ticked whenever the next one is due, at least every `idle_s`. A `resync` from the feed (this
thread fell behind) makes the engine reconcile with the store. The dispatcher is woken whenever
messages were queued.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from alerts.escalation.engine import EscalationEngine
from alerts.feed import RESYNC, Feed, FeedClosedError, Subscription
from domain.alarms import Alarm, AlarmState, Change, Severity
from domain.clock import Clock, now_ms

log = logging.getLogger(__name__)


class EscalationRunner:
    def __init__(
        self, engine: EscalationEngine, feed: Feed, clock: Clock, *, idle_s: float = 0.25
    ) -> None:
        self.engine = engine
        self.feed = feed
        self.clock = clock
        self.idle_s = idle_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sub: Subscription | None = None

    def start(self) -> None:
        """Subscribe first, then catch up with the store: no change falls between the two."""
        self._sub = self.feed.subscribe(maxsize=10_000)
        self.engine.load()
        started = self.engine.reconcile()
        if started:
            log.info("escalation: %d open alarms picked up at start", started)
        self.engine.tick()
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="anju-escalation", daemon=True)
        self._thread.start()

    def _timeout(self) -> float:
        due = self.engine.next_due_ms()
        if due is None:
            return self.idle_s
        return max(0.0, min(self.idle_s, (due - now_ms(self.clock)) / 1000))

    def _loop(self) -> None:
        assert self._sub is not None
        while not self._stop.is_set():
            try:
                event = self._sub.get(timeout=self._timeout())
            except FeedClosedError:
                return
            try:
                if event is not None and event.kind == RESYNC:
                    self.engine.reconcile()
                elif event is not None:
                    change = str(event.data.get("change", ""))
                    view = event.data.get("alarm") or {}
                    if change == "raised":  # the feed carries the whole alarm: no read
                        self.engine.start(alarm_from_view(view))
                    else:
                        self.engine.on_change(change, str(view.get("id", "")))
                self.engine.tick()
            except Exception:
                log.exception("escalation step failed; the timers stay in the store")

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        if self._sub is not None:
            self._sub.close()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None


def alarm_from_view(view: Mapping[str, Any]) -> Alarm:
    """The alarm back from its feed view (alerts.views.alarm_view)."""
    return Alarm(
        alarm_id=str(view["id"]),
        home_id=str(view["home_id"]),
        type=str(view["type"]),
        severity=Severity(view["severity"]),
        state=AlarmState(view["state"]),
        raised_ms=int(view["raised_ms"]),
        updated_ms=int(view["updated_ms"]),
        device_id=view.get("device_id"),
        count=int(view.get("count", 1)),
        evidence=dict(view.get("evidence") or {}),
        history=[
            Change(int(c["at_ms"]), AlarmState(c["state"]), str(c["actor"]), str(c["note"]))
            for c in view.get("history", [])
        ],
    )
