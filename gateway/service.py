"""The gateway process: local broker -> durable queue -> Anju's broker, alarms first.

Threads: paho runs one network thread per session and only hands messages over (`inbox.py`:
callbacks append to lists under one condition). A single pump thread owns the SQLite queue and
does the work: store what arrived and only then acknowledge it locally; forget what Anju
acknowledged (PUBACK); dispatch from the queue while the line is up; heartbeats, supervision and
commands.

Dispatch order after each (re)connect, with `boundary` the newest row at that moment:
1. alarms (priority 0), all of them, never rate limited;
2. live traffic (rows newer than `boundary`): events and status, then readings;
3. the backlog (rows up to `boundary`): events and status, then readings, at the token bucket's
   rate, at most `replay_window` of them in flight and `replay_step` handed to paho per step,
   so that a live message never queues behind more than a few hundred replayed ones.
A row is handed to paho once; paho resends it on reconnect (same session) until the PUBACK.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import paho.mqtt.client as mqtt

from domain.clock import Clock, SystemClock
from domain.topics import UPLINK_CHANNELS
from gateway import links
from gateway.bucket import TokenBucket
from gateway.config import GatewayConfig
from gateway.downlink import Downlink
from gateway.fallback import AlarmNotice
from gateway.inbox import Arrived, Inbox
from gateway.priority import ALARM, EVENT, READING, classify, peek
from gateway.queue import DurableQueue, Item, Row
from gateway.supervision import Supervisor
from gateway.watchdog import AlarmWatch

log = logging.getLogger("anju.gateway")
FALLBACK_KINDS = frozenset({"sos", "fall", "impact", "smoke_alarm"})
_OK = (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_NO_CONN)  # NO_CONN: paho keeps it and resends


@dataclass
class Stats:
    stored: int = 0
    published: int = 0
    acked: int = 0
    refused: int = 0
    fallbacks: int = 0
    replay_started_at: float | None = None
    replay_done_at: float | None = None


class Gateway:
    def __init__(self, cfg: GatewayConfig, clock: Clock | None = None) -> None:
        self.cfg = cfg
        self.clock = clock or SystemClock()
        self.started = self.clock.now()
        self.queue = DurableQueue(cfg.queue_path, cfg.max_rows, cfg.max_bytes, cfg.synchronous)
        self.bucket = TokenBucket(cfg.replay_rate, cfg.replay_burst, self.clock)
        self.supervisor = Supervisor(cfg.device_timeout_s)
        self.watch = AlarmWatch(cfg.alarm_ack_timeout_s)
        self.stats = Stats()
        self.inbox = Inbox(cfg)
        self._seen_generation = 0
        self._was_connected = False
        self._inflight: dict[int, tuple[int, bool]] = {}  # mid -> (row id, from backlog)
        self._inflight_backlog = 0
        self._resent: set[int] = set()  # row ids paho resends itself after a reconnect
        self._boundary = 0
        self._cursor: dict[tuple[str, int], int] = {}
        self.local = links.local_client(cfg)
        self.upstream = links.upstream_client(cfg)
        self.downlink = Downlink(self)
        self.inbox.wire(self.local, self.upstream)

    # -- the pump ------------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self.inbox.connected

    @property
    def local_ready(self) -> bool:
        return self.inbox.local_ready

    def run(self, stop: threading.Event) -> None:
        self.local.loop_start()
        self.upstream.loop_start()
        try:
            while not stop.is_set():
                self.step(wait=True)
        finally:
            self.downlink.goodbye()
            self.local.loop_stop()
            self.upstream.loop_stop()
            self.queue.close()

    def step(self, wait: bool) -> None:
        incoming, acked, commands, generation, connected = self.inbox.take(
            self._idle_wait() if wait else None
        )
        self._store(incoming)
        self._forget(acked)
        if commands:
            self.downlink.handle(commands)
        if connected and generation != self._seen_generation:
            self._seen_generation = generation
            self._new_link()
        if self._was_connected and not connected:
            self._link_lost()
        self._was_connected = connected
        if connected:
            self._dispatch()
        for notice in self.watch.overdue(self.clock.now()):
            self.downlink.fallback(notice)
        self.downlink.periodic(connected)

    def _idle_wait(self) -> float:
        if self.inbox.connected and self.queue.rows > len(self._inflight):
            return 0.005
        return 0.1

    def _store(self, messages: list[Arrived]) -> None:
        if not messages:
            return
        now = self.clock.now()
        items: list[Item] = []
        alarms: list[AlarmNotice] = []
        for message in messages:
            parts = message.topic.split("/")
            if len(parts) != 5 or parts[4] not in UPLINK_CHANNELS:
                continue  # e.g. the cmd topics the gateway itself forwards to devices
            device, channel, payload = parts[3], parts[4], message.payload
            prio = classify(channel, payload)
            is_avail = channel == "availability"
            items.append(Item(prio, message.topic, payload, retain=is_avail or message.retain))
            state = None
            if is_avail:
                state = "offline" if b"offline" in payload else "online"
            change = self.supervisor.heard(device, now, state)  # type: ignore[arg-type]
            if change is not None and not change.reported_by_device:
                items.append(self.downlink.availability_item(device, change.state))
            if prio == ALARM and (notice := self._notice(message.topic, payload)) is not None:
                alarms.append(notice)
        evicted = self.queue.put_many(items)
        if evicted:
            log.warning("queue full: evicted %d readings (total %d)", evicted, self.queue.evicted)
        for message in messages:  # durable now: the local broker may forget them
            self.local.ack(message.mid, message.qos)
        self.stats.stored += len(items)
        if alarms and not self.inbox.connected:
            for notice in alarms:
                self.downlink.fallback(notice)

    def _forget(self, acked: list[tuple[int, bool]]) -> None:
        done: list[int] = []
        for mid, refused in acked:
            entry = self._inflight.pop(mid, None)
            if entry is None:
                continue  # the gateway's own heartbeat or availability
            row_id, backlog = entry
            self._inflight_backlog -= backlog
            self.watch.acked(row_id)
            self._resent.discard(row_id)
            if refused:
                self.stats.refused += 1  # kept: replayed after the next reconnect
                continue
            done.append(row_id)
        if done:
            self.queue.delete(done)
            self.stats.acked += len(done)
        if (
            self.stats.replay_started_at is not None
            and self.stats.replay_done_at is None
            and not self._inflight
            and self.queue.rows == 0
        ):
            self.stats.replay_done_at = self.clock.now()

    def _new_link(self) -> None:
        self._boundary = self.queue.max_id()
        self._resent = {row_id for row_id, _ in self._inflight.values()}
        for prio in (ALARM, EVENT, READING):
            self._cursor["backlog", prio] = 0
            self._cursor["live", prio] = self._boundary
        if self.queue.rows:
            self.stats.replay_started_at = self.clock.now()
            self.stats.replay_done_at = None
        log.info("replaying %d queued messages", self.queue.rows)
        self.downlink.link_up()

    def _link_lost(self) -> None:
        for row in self.queue.fetch(ALARM, 0, None, 1000):
            if (notice := self._notice(row.topic, row.payload)) is not None:
                self.downlink.fallback(notice)

    def _notice(self, topic: str, payload: bytes) -> AlarmNotice | None:
        kind, seq = peek(payload)
        if kind not in FALLBACK_KINDS:
            return None
        now_ms = int(self.clock.now() * 1000)
        return AlarmNotice(self.cfg.home_id, topic.split("/")[3], kind, seq, now_ms)

    def _dispatch(self) -> None:
        room = self.cfg.window - len(self._inflight)
        room -= self._lane("backlog", ALARM, None, room, backlog=False)
        for prio in (EVENT, READING):
            room -= self._lane("live", prio, None, room, backlog=False)
        backlog_room = self.cfg.replay_window - self._inflight_backlog
        budget = min(room, backlog_room, self.cfg.replay_step, self.bucket.available())
        for prio in (EVENT, READING):
            if budget <= 0:
                break
            sent = self._lane("backlog", prio, self._boundary, budget, backlog=True)
            self.bucket.take(sent)
            budget -= sent

    def _lane(self, lane: str, prio: int, upto: int | None, limit: int, backlog: bool) -> int:
        if limit <= 0:
            return 0
        after = self._cursor.get((lane, prio), 0)
        rows = self.queue.fetch(prio, after, upto, limit + len(self._resent))
        sent = 0
        for row in rows:
            if sent >= limit:
                break
            if row.id in self._resent:
                self._cursor[lane, prio] = row.id
                continue
            if not self._publish(row, backlog):
                break
            self._cursor[lane, prio] = row.id
            sent += 1
        return sent

    def _publish(self, row: Row, backlog: bool) -> bool:
        info = self.upstream.publish(row.topic, row.payload, qos=1, retain=row.retain)
        if info.rc not in _OK:
            log.warning("upstream publish refused locally: rc=%s", info.rc)
            return False
        self._inflight[info.mid] = (row.id, backlog)
        if row.prio == ALARM and (notice := self._notice(row.topic, row.payload)) is not None:
            self.watch.sent(row.id, notice, self.clock.now())
        self._inflight_backlog += backlog
        self.stats.published += 1
        return True
