"""The durable outbox: every message is a row before it is sent; delivered at least once.

The engine queues rows (keyed by an idempotency key) in the same transaction that fires a
stage. The dispatcher sends due rows through their channel and records the outcome: delivered
(with time), retried later with exponential backoff, or failed after `max_attempts` or a
permanent error. A crash between sending and recording means one more send after restart, with
the same idempotency key for the receiver to drop.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor

from prometheus_client import Counter, Histogram

from alerts.channels.base import Channel, DeliveryError
from domain.clock import Clock, now_ms
from stores.state.escalation import DeliveryRow, EscalationStore

log = logging.getLogger(__name__)

SENT = Counter("anju_outbox_sent_total", "messages delivered", ["channel"])
RETRIED = Counter(
    "anju_outbox_retries_total", "delivery attempts that will be retried", ["channel"]
)
FAILED = Counter("anju_outbox_failed_total", "messages given up on", ["channel"])
SEND_SECONDS = Histogram(
    "anju_outbox_send_seconds", "time to hand one message to its channel", ["channel"]
)


def backoff_ms(attempts: int, *, base_ms: int = 1000, cap_ms: int = 300_000) -> int:
    """1 s, 2 s, 4 s ... up to 5 minutes."""
    return int(min(cap_ms, base_ms * 2 ** max(0, attempts - 1)))


class Dispatcher:
    def __init__(
        self,
        store: EscalationStore,
        channels: Mapping[str, Channel],
        clock: Clock,
        *,
        max_attempts: int = 12,
        on_delivered: Callable[[DeliveryRow], None] | None = None,
        batch: int = 100,
        workers: int = 4,
    ) -> None:
        self.store = store
        self.channels = dict(channels)
        self.clock = clock
        self.max_attempts = max_attempts
        self.on_delivered = on_delivered
        self.batch = batch
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._busy: set[str] = set()  # keys being sent right now
        self._pool = ThreadPoolExecutor(max(1, workers), thread_name_prefix="anju-send")

    def run_once(self, at_ms: int | None = None, *, wait: bool = True) -> int:
        """Send every due message once, `workers` at a time; with `wait`, returns how many
        were delivered (the background loop does not wait: a slow receiver holds one worker,
        not the queue)."""
        now = now_ms(self.clock) if at_ms is None else at_ms
        with self._lock:
            rows = [
                r for r in self.store.due_deliveries(now, self.batch) if r.key not in self._busy
            ]
            self._busy.update(r.key for r in rows)
        futures = [self._pool.submit(self._send_one, row, now) for row in rows]
        if not wait:
            return 0
        return sum(f.result() for f in futures)

    def submit(self, rows: list[DeliveryRow]) -> None:
        """Send rows just queued (committed) at once, without reading them back; rows that
        must wait (quiet hours) or are being sent already are left to `run_once`."""
        now = now_ms(self.clock)
        with self._lock:
            ready = [r for r in rows if r.next_ms <= now and r.key not in self._busy]
            self._busy.update(r.key for r in ready)
        for row in ready:
            self._pool.submit(self._send_one, row, now)

    def _send_one(self, row: DeliveryRow, now: int) -> int:
        try:
            if self._stop.is_set():
                return 0
            return self._send(row, now)
        finally:
            with self._lock:
                self._busy.discard(row.key)

    def _send(self, row: DeliveryRow, now: int) -> int:
        channel = self.channels.get(row.channel)
        attempts = row.attempts + 1
        started = time.perf_counter()
        try:
            if channel is None:
                raise DeliveryError(f"no {row.channel} channel configured", retryable=False)
            channel.send(row)
        except DeliveryError as exc:
            give_up = not exc.retryable or attempts >= self.max_attempts
            status = "failed" if give_up else "pending"
            next_ms = now if give_up else now_ms(self.clock) + backoff_ms(attempts)
            self.store.mark(
                row.key, status, attempts=attempts, next_ms=next_ms, sent_ms=None, error=str(exc)
            )
            (FAILED if give_up else RETRIED).labels(row.channel).inc()
            log.warning("delivery %s %s: %s", row.key, "failed" if give_up else "will retry", exc)
            return 0
        except Exception as exc:  # a bug in a channel must not stop the others
            log.exception("delivery %s crashed", row.key)
            next_ms = now_ms(self.clock) + backoff_ms(attempts)
            self.store.mark(
                row.key,
                "pending",
                attempts=attempts,
                next_ms=next_ms,
                sent_ms=None,
                error=repr(exc),
            )
            return 0
        SEND_SECONDS.labels(row.channel).observe(time.perf_counter() - started)
        self.store.mark(
            row.key,
            "delivered",
            attempts=attempts,
            next_ms=row.next_ms,
            sent_ms=now_ms(self.clock),
            error="",
        )
        SENT.labels(row.channel).inc()
        row.status = "delivered"
        if self.on_delivered is not None:
            try:
                self.on_delivered(row)
            except Exception:
                log.exception("after delivery of %s", row.key)
        return 1

    # ---- background thread (production) ----------------------------------------------------

    def wake(self) -> None:
        self._wake.set()

    def start(self, *, idle_s: float = 0.5) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._loop, args=(idle_s,), name="anju-outbox", daemon=True
        )
        self._thread.start()

    def _loop(self, idle_s: float) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.run_once(wait=False)
            except Exception:
                log.exception("outbox dispatch failed; trying again")
            self._wake.wait(idle_s)

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None
        self._pool.shutdown(wait=True, cancel_futures=True)
