"""The alarm service: detections become alarms people take charge of.

One open alarm per (home, type): a repeat updates it (count, latest evidence) instead of
opening another. Every change is saved through the StateStore first and then published on the
live feed. Operators accept and resolve alarms; each action is kept in the alarm's history with
actor and time. (Escalation and notification channels build on this; see issue 6.)
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from alerts import metrics
from alerts.feed import Feed
from alerts.views import HomeInfo, alarm_view
from domain.alarms import (
    TAKEN_STATES,
    Alarm,
    AlarmState,
    Change,
    Detection,
    LifecycleError,
    Outcome,
    Severity,
    open_alarm,
    repeat,
    transition,
)
from domain.clock import Clock, now_ms
from domain.model import Home, Resident
from domain.ports import StateStore

log = logging.getLogger(__name__)

OUTCOMES = tuple(o.value for o in Outcome)
ACCEPTABLE = frozenset({AlarmState.RAISED, AlarmState.NOTIFIED})
HOME_CACHE_S = 60.0
HomesLoader = Callable[[Sequence[str]], Mapping[str, tuple[Home, list[Resident]]]]


class AlarmNotFoundError(LookupError):
    pass


class AlarmConflictError(ValueError):
    """The action does not fit the alarm's state (already accepted, already closed...)."""


def new_alarm_id() -> str:
    return uuid.uuid4().hex


class AlarmService:
    def __init__(
        self,
        store: StateStore,
        feed: Feed,
        clock: Clock,
        *,
        new_id: Callable[[], str] = new_alarm_id,
        pending_max: int = 10_000,
    ) -> None:
        self.store = store
        self.feed = feed
        self.clock = clock
        self._new_id = new_id
        self._lock = threading.RLock()
        self._homes: dict[str, tuple[float, HomeInfo | None]] = {}
        self._open: dict[Severity, int] = dict.fromkeys(Severity, 0)
        self._pending: deque[Detection] = deque(maxlen=pending_max)
        self.sync_metrics()

    # ---- detections (the registry's DetectionHandler) ------------------------------------

    def handle(self, detections: Sequence[Detection]) -> None:
        """Raise or update alarms. A detection that cannot be saved (state store down) is kept
        and retried first on every later call (the registry calls once a second), so an SOS
        survives a database outage; ingest has already acknowledged the message."""
        with self._lock:
            retries = len(self._pending)
            waiting = list(self._pending) + list(detections)
            self._pending.clear()
            for i, detection in enumerate(waiting):
                try:
                    self.on_detection(detection)
                except Exception:
                    if i >= retries:  # log new failures; retries fail quietly each second
                        log.exception("could not raise alarm; kept to retry: %s", detection)
                    if len(self._pending) == self._pending.maxlen:
                        metrics.DROPPED.inc()
                        log.error("alarm retry backlog full; dropping %s", self._pending[0])
                    self._pending.append(detection)
            metrics.PENDING.set(len(self._pending))

    @property
    def pending(self) -> int:
        return len(self._pending)

    def on_detection(self, detection: Detection) -> Alarm:
        started = time.perf_counter()
        with self._lock:
            at = now_ms(self.clock)
            alarm = self.store.find_open_alarm(detection.home_id, detection.type)
            if alarm is None:
                alarm = open_alarm(self._new_id(), detection, at)
                change = "raised"
            else:
                repeat(alarm, detection, at)
                change = "updated"
            self.store.save_alarm(alarm)
            if change == "raised":
                self._open[alarm.severity] += 1
                self._set_gauge(alarm.severity)
                metrics.RAISED.labels(alarm.type).inc()
            else:
                metrics.REPEATS.labels(alarm.type).inc()
            self._publish(change, alarm)
        metrics.HANDLE_SECONDS.observe(time.perf_counter() - started)
        log.info(
            "alarm %s %s type=%s home=%s count=%d",
            alarm.alarm_id,
            change,
            alarm.type,
            alarm.home_id,
            alarm.count,
        )
        return alarm

    # ---- people's actions ----------------------------------------------------------------

    def accept(self, alarm_id: str, actor: str, note: str = "") -> Alarm:
        with self._lock:
            alarm = self._get(alarm_id)
            if alarm.state not in ACCEPTABLE:
                taker = _last_actor(alarm, AlarmState.ACCEPTED)
                if alarm.is_open:
                    raise AlarmConflictError(f"alarm {alarm_id} is already accepted by {taker}")
                raise AlarmConflictError(f"alarm {alarm_id} is closed ({alarm.state.value})")
            self._change(alarm, AlarmState.ACCEPTED, actor, note)
            self.store.save_alarm(alarm)
            metrics.ACTIONS.labels("accept").inc()
            self._publish("accepted", alarm)
        return alarm

    def resolve(self, alarm_id: str, actor: str, outcome: str, note: str = "") -> Alarm:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}; one of {', '.join(OUTCOMES)}")
        with self._lock:
            alarm = self._get(alarm_id)
            if not alarm.is_open:
                raise AlarmConflictError(f"alarm {alarm_id} is closed ({alarm.state.value})")
            self._change(
                alarm, AlarmState.RESOLVED, actor, f"{outcome}: {note}" if note else outcome
            )
            self.store.save_alarm(alarm)
            self._open[alarm.severity] = max(0, self._open[alarm.severity] - 1)
            self._set_gauge(alarm.severity)
            metrics.ACTIONS.labels("resolve").inc()
            self._publish("resolved", alarm)
        return alarm

    # ---- escalation lifecycle (issue 6): notified, in progress, dropped, cancelled ---------

    def mark(self, alarm_id: str, state: AlarmState, actor: str, note: str = "") -> Alarm:
        """Any other lifecycle change (domain.alarms.TRANSITIONS), saved and published.

        notified (system, after the first delivery), in_progress (the one who accepted),
        notified again = dropped (an accepted alarm is given back: escalation restarts),
        cancelled (the resident only).
        """
        with self._lock:
            alarm = self._get(alarm_id)
            was_open = alarm.is_open
            dropped = alarm.state in TAKEN_STATES and state is AlarmState.NOTIFIED
            try:
                transition(alarm, state, actor, now_ms(self.clock), note)
            except LifecycleError as exc:
                raise AlarmConflictError(str(exc)) from exc
            self.store.save_alarm(alarm)
            if was_open and not alarm.is_open:
                self._open[alarm.severity] = max(0, self._open[alarm.severity] - 1)
                self._set_gauge(alarm.severity)
            self._publish("dropped" if dropped else state.value, alarm)
        return alarm

    # ---- reading -------------------------------------------------------------------------

    def get(self, alarm_id: str) -> Alarm | None:
        return self.store.get_alarm(alarm_id)

    def list(self, *, open_only: bool = False, limit: int = 500) -> list[Alarm]:
        return self.store.list_alarms(open_only=open_only, limit=limit)

    def view(self, alarm: Alarm) -> dict[str, Any]:
        return alarm_view(alarm, self.home_info(alarm.home_id))

    def views(
        self, alarms: Sequence[Alarm], load: HomesLoader | None = None
    ) -> Sequence[dict[str, Any]]:
        """Many alarms as the outside sees them; `load` reads the homes not cached yet in one
        batch (home id -> (home, residents)) instead of two queries per alarm."""
        if load is not None:
            at = time.monotonic()
            missing = {
                a.home_id
                for a in alarms
                if (c := self._homes.get(a.home_id)) is None or at - c[0] >= HOME_CACHE_S
            }
            if missing:
                found = load(sorted(missing))
                for home_id in missing:
                    home, residents = found.get(home_id, (None, []))
                    self._homes[home_id] = (at, HomeInfo.of(home, residents))
        return [self.view(a) for a in alarms]

    def forget_homes(self) -> None:
        """Empty the cache of homes and residents (the next views read them again)."""
        self._homes.clear()

    def home_info(self, home_id: str) -> HomeInfo | None:
        """Address and residents of a home, cached for a minute."""
        at = time.monotonic()
        cached = self._homes.get(home_id)
        if cached is not None and at - cached[0] < HOME_CACHE_S:
            return cached[1]
        info = HomeInfo.of(self.store.get_home(home_id), self.store.list_residents(home_id))
        self._homes[home_id] = (at, info)
        return info

    def open_counts(self) -> dict[str, int]:
        with self._lock:
            return {s.value: n for s, n in self._open.items()}

    def sync_metrics(self) -> None:
        """Count the open alarms in the store (at start: they survive restarts)."""
        with self._lock:
            counts = dict.fromkeys(Severity, 0)
            for alarm in self.store.list_alarms(open_only=True, limit=1_000_000):
                counts[alarm.severity] += 1
            self._open = counts
            for severity in Severity:
                self._set_gauge(severity)

    # ---- helpers -------------------------------------------------------------------------

    def _get(self, alarm_id: str) -> Alarm:
        alarm = self.store.get_alarm(alarm_id)
        if alarm is None:
            raise AlarmNotFoundError(f"no alarm {alarm_id}")
        return alarm

    def _change(self, alarm: Alarm, state: AlarmState, actor: str, note: str) -> None:
        at = now_ms(self.clock)
        alarm.state = state
        alarm.updated_ms = at
        alarm.history.append(Change(at, state, actor, note))

    def _set_gauge(self, severity: Severity) -> None:
        metrics.OPEN_ALARMS.labels(severity.value).set(self._open[severity])

    def _publish(self, change: str, alarm: Alarm) -> None:
        self.feed.publish("alarm", {"change": change, "alarm": self.view(alarm)})


def _last_actor(alarm: Alarm, state: AlarmState) -> str:
    for change in reversed(alarm.history):
        if change.state is state:
            return change.actor
    return "?"
