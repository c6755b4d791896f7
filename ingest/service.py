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
import threading
import time
from collections.abc import Sequence
from typing import Any

import paho.mqtt.client as mqtt

from device_models.registry import ModelRegistry
from domain.clock import Clock, now_ms
from domain.dedup import SeenIndex
from domain.points import Point
from domain.ports import DeadLetter, StateStore, TimeSeriesStore
from ingest import metrics, session
from ingest.batch import Item, Queue, judge, take_batch
from ingest.directory import DeviceDirectory
from ingest.gate import DEDUP_WINDOW_MS, Gate
from ingest.models import Checker
from ingest.options import IngestOptions
from ingest.ratelimit import RateLimiter
from ingest.sink import NullSink, Sink
from ingest.stats import IngestStats

__all__ = ["IngestOptions", "IngestService", "IngestStats"]

log = logging.getLogger(__name__)


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
        self._queue: Queue = queue.PriorityQueue(self.options.queue_max)
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
        self._client = session.make_client(
            self.options, self._on_connect, self._on_disconnect, self._on_message
        )
        session.connect(self._client, self.options)
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
        item = Item(topic, bytes(msg.payload), msg.mid, msg.qos, msg.dup, self._generation)
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

    def _take_batch(self) -> list[Item]:
        o = self.options
        return take_batch(self._queue, self.checker.urgent, o.batch_size, o.batch_ms)

    def _handle(self, items: list[Item]) -> None:
        now = now_ms(self.clock)
        batch = judge(items, self.checker.check, now)
        self._write(batch.points, batch.letters)
        self._ack(items)
        self.stats.count_batch(
            len(items), len(batch.accepted), len(batch.points), batch.rejected, batch.redelivered
        )
        if batch.accepted:
            try:
                self.sink.accept(batch.accepted)
            except Exception:
                log.exception("ingest: the sink failed on a batch of %d", len(batch.accepted))

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

    def _ack(self, items: Sequence[Item]) -> None:
        client, generation = self._client, self._generation
        if client is None:
            return
        for item in items:
            # a message from an earlier connection is redelivered on this one: its old packet id
            # may already name another message, so only the redelivered copy is acknowledged
            if item.qos and item.generation == generation:
                client.ack(item.mid, item.qos)


class _StoppedError(Exception):
    """The service stopped while a batch was waiting for the store."""
