"""The escalation engine: an alarm climbs its policy's stages on durable timers until taken.

Every stage is a timer row (alarm, generation, stage, round) in the store; `tick(now)` fires the
due ones. Firing a timer and queueing its messages in the outbox is one transaction, so a crash
leaves a stage either fired with all its messages queued or still pending. Acceptance stops the
climb (pending timers and unsent messages are cancelled); a dropped alarm starts a new generation
from the first stage. Re-notify rounds are timers too. The engine keeps a heap of pending due
times in memory, so a tick with nothing due costs a comparison, whatever the number of alarms.
"""

from __future__ import annotations

import heapq
import logging
import threading
from collections.abc import Callable, Sequence

from alerts.escalation.homes import HomeLookup
from alerts.escalation.incidents import incident_for, incident_of
from alerts.escalation.links import LinkSigner
from alerts.escalation.messages import Subject
from alerts.escalation.policy import Policy, PolicyBook
from alerts.escalation.stages import firing, stage_timers
from domain.alarms import TAKEN_STATES, Alarm
from domain.clock import Clock, now_ms
from domain.ports import StateStore
from stores.state.escalation import (
    DeliveryRow,
    EscalationRow,
    EscalationStore,
    Firing,
    TimerRow,
)

log = logging.getLogger(__name__)


class EscalationEngine:
    def __init__(
        self,
        store: EscalationStore,
        state: StateStore,
        clock: Clock,
        *,
        links: LinkSigner | None = None,
        on_queued: Callable[[list[DeliveryRow]], None] | None = None,
        home_cache_s: float = 30.0,
    ) -> None:
        self.store = store
        self.state = state
        self.clock = clock
        self.links = links
        self.on_queued = on_queued
        self._lock = threading.RLock()
        self._heap: list[TimerRow] = []
        self._esc: dict[str, EscalationRow] = {}
        self._policies: dict[str, Policy] = {}
        self._by_home: dict[str, set[str]] = {}  # home -> alarms escalating (incidents)
        self.homes = HomeLookup(store, state, clock, home_cache_s)
        self._alarms: dict[str, Alarm] = {}  # escalating alarms as last seen (texts)

    # ---- start, stop, restart --------------------------------------------------------------

    def load(self) -> int:
        """Read pending timers and active escalations back from the store (after a restart)."""
        with self._lock:
            self._esc, self._by_home = {}, {}
            for e in self.store.escalations(active_only=True):
                self._keep(e)
            self._policies = {a: Policy.from_json(e.policy) for a, e in self._esc.items()}
            self._heap = [t for t in self.store.pending_timers() if t.alarm_id in self._esc]
            heapq.heapify(self._heap)
            return len(self._heap)

    def start(self, alarm: Alarm) -> bool:
        """Begin escalating an alarm (idempotent: an alarm is escalated once)."""
        return self.start_many([alarm]) == 1

    def start_many(self, alarms: Sequence[Alarm]) -> int:
        """Begin escalating alarms in one transaction (at start, many may be open)."""
        with self._lock:
            fresh = [a for a in alarms if a.alarm_id not in self._esc and a.is_open]
            books: dict[str, PolicyBook] = {}
            items: list[tuple[EscalationRow, Sequence[TimerRow]]] = []
            policies: dict[str, Policy] = {}
            batch: dict[str, list[EscalationRow]] = {}  # this batch, by home
            for alarm in fresh:
                facts = self.homes.home(alarm.home_id)
                community = facts.community
                if community not in books:
                    books[community] = self.homes.book(community)
                policy = books[community].choose(alarm.severity, facts.risks)
                esc = EscalationRow(
                    alarm_id=alarm.alarm_id,
                    home_id=alarm.home_id,
                    community_id=community,
                    severity=alarm.severity.value,
                    policy=policy.to_json(),
                    generation=0,
                    started_ms=alarm.raised_ms,
                    active=True,
                    incident_id=self._incident_for(alarm, batch.get(alarm.home_id, [])),
                    alarm_type=alarm.type,
                    raised_ms=alarm.raised_ms,
                )
                batch.setdefault(alarm.home_id, []).append(esc)
                policies[alarm.alarm_id] = policy
                items.append((esc, stage_timers(policy, alarm.alarm_id, 0, alarm.raised_ms)))
            by_id = {a.alarm_id: a for a in fresh}
            # the stages due already (stage 0) fire in the same transaction: one commit
            now = now_ms(self.clock)
            subjects: dict[str, Subject | None] = {}
            firings: list[Firing] = []
            for esc, timers in items:
                alarm = by_id[esc.alarm_id]
                if alarm.state in TAKEN_STATES:
                    continue
                facts = self.homes.home(alarm.home_id)
                subjects[alarm.alarm_id] = Subject(alarm, facts.place, facts.contacts)
                self._policies[alarm.alarm_id] = policies[alarm.alarm_id]
                for t in timers:
                    if t.due_ms <= now and (f := self._firing(t, now, subjects)) is not None:
                        firings.append(f)
            started, fired = self.store.start_many(items, firings, now) if items else (set(), [])
            done = set(fired)
            queued: list[DeliveryRow] = []
            for f in firings:
                if f.timer in done:
                    queued.extend(f.deliveries)
                    if f.next_timer is not None:
                        heapq.heappush(self._heap, f.next_timer)
            for esc, timers in items:
                if esc.alarm_id not in started or by_id[esc.alarm_id].state in TAKEN_STATES:
                    self._policies.pop(esc.alarm_id, None)
                    if esc.alarm_id in started:  # taken before we saw it: record, no climb
                        self.store.stop(esc.alarm_id, "accepted")
                    continue
                self._keep(esc)
                self._alarms[esc.alarm_id] = by_id[esc.alarm_id]
                for t in timers:
                    if t not in done:
                        heapq.heappush(self._heap, t)
                log.info("escalating %s with policy %s", esc.alarm_id, policies[esc.alarm_id].name)
        if queued and self.on_queued is not None:
            self.on_queued(queued)
        return len(started)

    def stop(self, alarm_id: str, reason: str) -> None:
        with self._lock:
            self.store.stop(alarm_id, reason)
            esc = self._esc.pop(alarm_id, None)
            self._alarms.pop(alarm_id, None)
            if esc is not None:
                self._by_home.get(esc.home_id, set()).discard(alarm_id)
            self._policies.pop(alarm_id, None)  # heap entries go stale and are skipped

    def restart(self, alarm_id: str) -> bool:
        """An accepted alarm was dropped: climb again from the first stage (new generation)."""
        with self._lock:
            esc = self.store.get(alarm_id)
            if esc is None:
                alarm = self.state.get_alarm(alarm_id)
                return alarm is not None and self.start(alarm)
            policy = Policy.from_json(esc.policy)
            esc.generation += 1
            esc.started_ms = now_ms(self.clock)
            esc.active = True
            timers = stage_timers(policy, alarm_id, esc.generation, esc.started_ms)
            self.store.restart(alarm_id, esc.generation, esc.started_ms, timers)
            self._keep(esc)
            self._policies[alarm_id] = policy
            for t in timers:
                heapq.heappush(self._heap, t)
            return True

    def _keep(self, esc: EscalationRow) -> None:
        self._esc[esc.alarm_id] = esc
        self._by_home.setdefault(esc.home_id, set()).add(esc.alarm_id)

    def on_change(self, change: str, alarm_id: str) -> None:
        """React to an alarm change from the live feed."""
        if change == "raised":
            alarm = self.state.get_alarm(alarm_id)
            if alarm is not None:
                self.start(alarm)
        elif change in ("accepted", "in_progress"):
            self.stop(alarm_id, "accepted")
        elif change in ("resolved", "cancelled"):
            self.stop(alarm_id, change)
        elif change == "dropped":
            self._alarms.pop(alarm_id, None)
            self.restart(alarm_id)
        elif change == "updated":  # a repeat: newer evidence for the next messages
            with self._lock:
                self._alarms.pop(alarm_id, None)

    def reconcile(self) -> int:
        """Bring the engine in line with the alarms (at start, after the feed lost events)."""
        started = 0
        with self._lock:
            open_alarms = {
                a.alarm_id: a for a in self.state.list_alarms(open_only=True, limit=1_000_000)
            }
            for alarm_id in list(self._esc):
                alarm = open_alarms.get(alarm_id)
                if alarm is None:
                    self.stop(alarm_id, "closed")
                elif alarm.state in TAKEN_STATES:
                    self.stop(alarm_id, "accepted")
            known = {e.alarm_id for e in self.store.escalations()}
            started = self.start_many([a for a in open_alarms.values() if a.alarm_id not in known])
        return started

    # ---- timers ----------------------------------------------------------------------------

    def next_due_ms(self) -> int | None:
        with self._lock:
            return self._heap[0].due_ms if self._heap else None

    def tick(self, at_ms: int | None = None) -> int:
        """Fire every timer due at `at_ms` (default: the clock); returns how many fired."""
        now = now_ms(self.clock) if at_ms is None else at_ms
        with self._lock:
            if not self._heap or self._heap[0].due_ms > now:
                return 0
            due: list[TimerRow] = []
            while self._heap and self._heap[0].due_ms <= now:
                t = heapq.heappop(self._heap)
                esc = self._esc.get(t.alarm_id)
                if esc is not None and esc.generation == t.generation:
                    due.append(t)
            subjects: dict[str, Subject | None] = {}
            firings = [f for t in due if (f := self._firing(t, now, subjects)) is not None]
            fired = self.store.fire(firings, now) if firings else []
            by_timer = {f.timer: f for f in firings}
            queued: list[DeliveryRow] = []
            for t in fired:
                queued.extend(by_timer[t].deliveries)
                nxt = by_timer[t].next_timer
                if nxt is not None:
                    heapq.heappush(self._heap, nxt)
        if queued and self.on_queued is not None:
            self.on_queued(queued)
        return len(fired)

    def _firing(self, t: TimerRow, now: int, subjects: dict[str, Subject | None]) -> Firing | None:
        if t.alarm_id not in subjects:
            subjects[t.alarm_id] = self._subject(t.alarm_id)
        subject = subjects[t.alarm_id]
        if subject is None:
            return None
        return firing(t, self._policies[t.alarm_id], subject, now, self.links)

    def _subject(self, alarm_id: str) -> Subject | None:
        alarm = self._alarms.get(alarm_id)
        if alarm is None:
            alarm = self.state.get_alarm(alarm_id)
            if alarm is None:
                return None
            self._alarms[alarm_id] = alarm
        facts = self.homes.home(alarm.home_id)
        return Subject(alarm, facts.place, facts.contacts)

    # ---- incidents -------------------------------------------------------------------------

    def _incident_for(self, alarm: Alarm, batch: Sequence[EscalationRow]) -> str:
        """A fall and then inactivity in the same home are one incident."""
        active = [self._esc[a] for a in self._by_home.get(alarm.home_id, ())]
        return incident_for(alarm, (*active, *batch))

    def incident(self, alarm_id: str) -> list[str]:
        """The alarms linked with this one, oldest first."""
        return incident_of(self.store, alarm_id)
