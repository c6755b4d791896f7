"""The ingest service: broker -> checks -> time-series store -> ack -> sink.

paho's network thread only puts (topic, payload, mid) on a bounded queue; one worker thread
takes batches off it, runs every message through the `Gate`, writes the accepted points and the
dead letters, and only then acknowledges the batch to the broker (manual PUBACK). A kill -9 of
ingest therefore loses nothing: the broker redelivers what was not acknowledged to the
persistent session, and the dedup index, rebuilt from the store at start, drops what had been
stored already. A store failure is retried with backoff, without acknowledging, until it works or
the service stops.
"""

from __future__ import annotations

import itertools
import logging
import queue
import ssl
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from device_models.registry import ModelRegistry
from domain.clock import Clock, now_ms
from domain.decode import Message
from domain.dedup import SeenIndex
from domain.model import Device
from domain.points import Point, to_point
from domain.ports import DeadLetter, StateStore, TimeSeriesStore
from domain.rejects import Reason, Rejected
from domain.topics import UPLINK_FILTER
from ingest import metrics
from ingest.directory import DeviceDirectory
from ingest.gate import DEDUP_WINDOW_MS, Accepted, Gate
from ingest.models import Checker
from ingest.ratelimit import RateLimiter
from ingest.sink import NullSink, Sink

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngestOptions:
    host: str = "127.0.0.1"
    port: int = 1883
    client_id: str = "anju-ingest-1"
    protocol: Literal["5", "3.1.1"] = "5"
    share_group: str | None = None  # None: plain subscription; a name: $share/<name>/...
    session_expiry_s: int = 7 * 24 * 3600
    username: str | None = None
    password: str | None = None
    tls: bool = False
    keepalive_s: int = 60
    reconnect_min_s: float = 0.2
    reconnect_max_s: float = 10.0
    batch_size: int = 1000
    batch_ms: int = 50
    queue_max: int = 100_000
    rate_per_s: float = 20.0
    burst: int = 600
    directory_refresh_s: float = 60.0
    retry_initial_s: float = 0.05
    retry_max_s: float = 5.0

    @property
    def subscription(self) -> str:
        if self.share_group:
            return f"$share/{self.share_group}/{UPLINK_FILTER}"
        return UPLINK_FILTER


class _Item(NamedTuple):
    topic: str
    payload: bytes
    mid: int
    qos: int
    dup: bool  # the broker is sending it again (an earlier delivery was not acknowledged)
    generation: int  # which connection it came on: a PUBACK is only valid on that one


@dataclass
class IngestStats:
    received: int = 0
    accepted: int = 0
    stored: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    redelivered: int = 0  # duplicates the broker sent again after a reconnect or restart
    batches: int = 0
    connects: int = 0
    max_write_s: float = 0.0  # longest batch write (store stalls show here)


class IngestService:
    def __init__(
        self,
        ts_store: TimeSeriesStore,
        state_store: StateStore,
        clock: Clock,
        sink: Sink | None = None,
        options: IngestOptions | None = None,
        *,
        models: ModelRegistry | None = None,
    ) -> None:
        self.ts_store = ts_store
        self.state_store = state_store
        self.clock = clock
        self.sink: Sink = sink if sink is not None else NullSink()
        self.options = options or IngestOptions()
        self.stats = IngestStats()
        self.directory = DeviceDirectory(
            state_store, clock, refresh_s=self.options.directory_refresh_s
        )
        self.gate = Gate(
            self.directory, RateLimiter(self.options.rate_per_s, self.options.burst), SeenIndex()
        )
        self.checker = Checker(self.gate, models)  # contract topics, and device models' own
        # events (SOS, fall...) leave the queue before readings that came earlier: an alarm never
        # waits behind a backlog; FIFO within each lane (priority, arrival order, item)
        self._queue: queue.PriorityQueue[tuple[int, int, _Item]] = queue.PriorityQueue(
            self.options.queue_max
        )
        self._arrival = itertools.count()
        self._stopping = threading.Event()
        self._connected = threading.Event()
        self._generation = 0
        self._worker: threading.Thread | None = None
        self._client: mqtt.Client | None = None

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> IngestService:
        """Rebuild the dedup index, load the devices, connect, and start the worker."""
        since = now_ms(self.clock) - DEDUP_WINDOW_MS
        count = 0
        for device_id, seq in self.ts_store.keys_since(since):
            self.gate.remember(device_id, seq)
            count += 1
        self.directory.refresh()
        log.info("ingest starting: %d stored keys, %d devices", count, len(self.directory))
        metrics.QUEUE_DEPTH.set_function(self._queue.qsize)
        self._stopping.clear()
        self._worker = threading.Thread(target=self._work, name="ingest-worker", daemon=True)
        self._worker.start()
        self._client = self._make_client()
        self._client.connect_async(
            self.options.host,
            self.options.port,
            keepalive=self.options.keepalive_s,
            clean_start=False if self.options.protocol == "5" else mqtt.MQTT_CLEAN_START_FIRST_ONLY,
            properties=self._connect_properties(),
        )
        self._client.loop_start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Finish (and acknowledge) the batch in hand, then disconnect. Messages still queued are
        not acknowledged: the broker keeps them for the session."""
        self._stopping.set()
        if self._worker is not None:
            self._worker.join(timeout)
            self._worker = None
        if self._client is not None:
            self._client.disconnect()
            self._client.loop_stop()
            self._client = None
        self._connected.clear()
        metrics.CONNECTED.set(0)

    def wait_connected(self, timeout: float = 10.0) -> bool:
        return self._connected.wait(timeout)

    @property
    def healthy(self) -> bool:
        worker = self._worker
        return self._connected.is_set() and worker is not None and worker.is_alive()

    @property
    def queue_depth(self) -> int:
        return self._queue.qsize()

    def __enter__(self) -> IngestService:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- MQTT (paho's network thread) --------------------------------------------------------

    def _make_client(self) -> mqtt.Client:
        o = self.options
        v5 = o.protocol == "5"
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=o.client_id,
            protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311,
            clean_session=None if v5 else False,
            manual_ack=True,
        )
        if o.username is not None:
            client.username_pw_set(o.username, o.password)
        if o.tls:
            client.tls_set(tls_version=ssl.PROTOCOL_TLS_CLIENT)
        # paho's hints say int, its arithmetic takes seconds as float; a quick first retry
        # narrows the window in which a restarted broker has no subscription for us
        client.reconnect_delay_set(o.reconnect_min_s, o.reconnect_max_s)  # type: ignore[arg-type]
        client.max_queued_messages_set(0)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        return client

    def _connect_properties(self) -> Properties | None:
        if self.options.protocol != "5":
            return None
        props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        props.SessionExpiryInterval = self.options.session_expiry_s
        # the broker never has more unacknowledged messages out than our queue can hold
        props.ReceiveMaximum = min(self.options.queue_max, 65535)
        return props

    def _on_connect(
        self, client: mqtt.Client, _userdata: Any, flags: Any, reason: Any, _props: Any
    ) -> None:
        if reason.is_failure:
            log.warning("ingest: broker refused the connection: %s", reason)
            return
        self._generation += 1
        self.stats.connects += 1
        client.subscribe(self.options.subscription, qos=1)
        self.checker.subscribe(client, self.options.share_group)
        self._connected.set()
        metrics.CONNECTED.set(1)
        log.info(
            "ingest connected (session present: %s), subscribed %s",
            flags.session_present,
            self.options.subscription,
        )

    def _on_disconnect(
        self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        self._connected.clear()
        metrics.CONNECTED.set(0)
        if not self._stopping.is_set():
            log.warning("ingest disconnected (%s); paho reconnects", reason)

    def _on_message(self, _client: mqtt.Client, _userdata: Any, msg: mqtt.MQTTMessage) -> None:
        try:
            topic = msg.topic
        except UnicodeDecodeError:
            topic = msg._topic.decode("utf-8", "replace")
        item = _Item(topic, bytes(msg.payload), msg.mid, msg.qos, msg.dup, self._generation)
        self._queue.put((0 if self.checker.urgent(topic) else 1, next(self._arrival), item))

    # ---- worker ------------------------------------------------------------------------------

    def _work(self) -> None:
        while not self._stopping.is_set():
            self.checker.poll(self._client, self.options.share_group)  # model files changed?
            items = self._take_batch()
            if items:
                try:
                    self._handle(items)
                except _StoppedError:
                    return
                except Exception:  # the worker must outlive anything one batch does
                    log.exception("ingest: batch failed; it stays unacknowledged")

    def _take_batch(self) -> list[_Item]:
        q = self._queue
        try:
            first = q.get(timeout=0.1)[2]
        except queue.Empty:
            return []
        items = [first]
        urgent = self.checker.urgent(first.topic)
        limit = self.options.batch_size
        deadline: float | None = None
        while len(items) < limit:
            try:
                item = q.get_nowait()[2]
            except queue.Empty:
                pass
            else:
                items.append(item)
                urgent = urgent or self.checker.urgent(item.topic)
                continue
            if urgent:  # an event (SOS, fall...) does not wait for company: detectors want it now
                break
            now = time.monotonic()
            if deadline is None:
                deadline = now + self.options.batch_ms / 1000.0
            if now >= deadline:
                break
            try:
                item = q.get(timeout=deadline - now)[2]
            except queue.Empty:
                break
            items.append(item)
            urgent = self.checker.urgent(item.topic)
        return items

    def _handle(self, items: list[_Item]) -> None:
        now = now_ms(self.clock)
        accepted: list[tuple[Message, Device]] = []
        points: list[Point] = []
        letters: list[DeadLetter] = []
        rejected: dict[str, int] = {}
        redelivered = 0
        check = self.checker.check
        for item in items:
            try:  # one raw message, one verdict (a device model's payload may say several things)
                verdicts = check(item.topic, item.payload, now)
                pairs = [
                    (v, to_point(v.message) if isinstance(v, Accepted) else None) for v in verdicts
                ]
            except Exception as exc:  # a bug must cost one message (kept), never the batch
                log.exception("ingest: check failed on %s", item.topic)
                pairs = [(Rejected(Reason.DECODER, f"{type(exc).__name__}: {exc}"[:300]), None)]
            for verdict, point in pairs:
                if isinstance(verdict, Accepted):
                    accepted.append((verdict.message, verdict.device))
                    if point is not None:
                        points.append(point)
                elif verdict.reason is Reason.DUPLICATE and item.dup:
                    # the broker's own redelivery of what was stored before an ack got through:
                    # expected after a restart, not a device replaying, so no dead letter
                    redelivered += 1
                else:
                    reason = verdict.reason.value
                    rejected[reason] = rejected.get(reason, 0) + 1
                    letters.append(
                        DeadLetter(now, reason, verdict.detail, item.topic, item.payload)
                    )
        self._write(points, letters)
        self._ack(items)
        self._count(len(items), len(accepted), len(points), rejected, redelivered)
        if accepted:
            try:
                self.sink.accept(accepted)
            except Exception:
                log.exception("ingest: the sink failed on a batch of %d", len(accepted))

    def _write(self, points: Sequence[Point], letters: Sequence[DeadLetter]) -> None:
        delay = self.options.retry_initial_s
        while True:
            started = time.monotonic()
            try:
                if points:
                    self.ts_store.write(points)
                if letters:
                    self.state_store.add_dead_letters(letters)
            except Exception:
                metrics.STORE_ERRORS.inc()
                log.exception("ingest: store write failed; retrying in %.2f s", delay)
                if self._stopping.wait(delay):
                    raise _StoppedError from None
                delay = min(delay * 2, self.options.retry_max_s)
                continue
            took = time.monotonic() - started
            metrics.STORE_WRITE_SECONDS.observe(took)
            self.stats.max_write_s = max(self.stats.max_write_s, took)
            if took > 5.0:
                log.warning("ingest: a batch of %d points took %.1f s to write", len(points), took)
            return

    def _ack(self, items: Sequence[_Item]) -> None:
        client, generation = self._client, self._generation
        if client is None:
            return
        for item in items:
            # a message from an earlier connection is redelivered on this one: its old packet id
            # may already name another message, so only the redelivered copy is acknowledged
            if item.qos and item.generation == generation:
                client.ack(item.mid, item.qos)

    def _count(
        self, n: int, accepted: int, stored: int, rejected: dict[str, int], redelivered: int
    ) -> None:
        stats = self.stats
        stats.redelivered += redelivered
        metrics.REDELIVERED.inc(redelivered)
        stats.received += n
        stats.accepted += accepted
        stats.stored += stored
        stats.batches += 1
        for reason, k in rejected.items():
            stats.rejected[reason] = stats.rejected.get(reason, 0) + k
            metrics.REJECTED.labels(reason=reason).inc(k)
        metrics.MESSAGES_IN.inc(n)
        metrics.ACCEPTED.inc(accepted)
        metrics.BATCH_SIZE.observe(n)


class _StoppedError(Exception):
    """The service stopped while a batch was waiting for the store."""
