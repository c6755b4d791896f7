"""The thread that drains the disk spool to InfluxDB: batches, retries with backoff, no loss.

Only what the server accepted is deleted from the spool. A transient failure (connection refused,
timeout, 5xx, 429, 401/403/404 until an operator fixes the configuration) keeps the batch and
retries it after an exponential backoff without any deadline: the spool's byte bound, not a
retry timer, decides when data is given up, and that is counted. A batch the server declares
invalid (400/422) can never succeed: it is dropped and counted. 413 halves the batch size.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from stores import metrics
from stores.timeseries.spool import Spool

log = logging.getLogger(__name__)


class Rejected(Exception):  # noqa: N818 - the server's verdict, not a failure of ours
    """The server refused the data itself (retrying cannot help)."""


class TooLarge(Exception):  # noqa: N818 - the HTTP status name
    """The request body was too large for the server."""


Send = Callable[[bytes], None]


@dataclass(slots=True)
class Backoff:
    """Exponential backoff with a cap (pure: the caller sleeps)."""

    initial_s: float = 0.5
    max_s: float = 30.0
    factor: float = 2.0
    current_s: float = 0.0

    def failed(self) -> float:
        """The delay before the next attempt."""
        self.current_s = (
            self.initial_s if self.current_s == 0 else min(self.max_s, self.current_s * 2)
        )
        return self.current_s

    def succeeded(self) -> None:
        self.current_s = 0.0


class Forwarder:
    def __init__(
        self,
        spool: Spool,
        send: Send,
        *,
        batch_points: int = 5000,
        backoff: Backoff | None = None,
        idle_s: float = 1.0,
    ) -> None:
        self.spool = spool
        self.send = send
        self.batch_points = batch_points
        self.backoff = backoff or Backoff()
        self.idle_s = idle_s
        self.forwarded = 0
        self.rejected = 0
        self.failures = 0
        self.last_error: str | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Forwarder:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="influx-forwarder", daemon=True)
        self._thread.start()
        return self

    def wake(self) -> None:
        self._idle.clear()
        self._wake.set()

    def drain(self, timeout_s: float) -> bool:
        """Wait until the spool is empty (True) or the timeout passed (False)."""
        self.wake()
        return self._idle.wait(timeout_s) and self.spool.points == 0

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                delay = self.step()
            except Exception:  # never let the thread die: log, back off, go on
                log.exception("influx forwarder step failed")
                delay = self.backoff.failed()
            if delay is None:
                continue
            self._wake.wait(delay)
            self._wake.clear()

    def step(self) -> float | None:
        """Send one batch. Returns how long to wait before the next step, None for at once."""
        batch = self.spool.peek(self.batch_points)
        if not batch:
            self._idle.set()
            return self.idle_s
        self._idle.clear()
        body = b"\n".join(line for _, line in batch)
        try:
            self.send(body)
        except TooLarge:
            self.batch_points = max(1, self.batch_points // 2)
            log.warning("InfluxDB: request too large, batch size now %d", self.batch_points)
            return None
        except Rejected as exc:
            self.rejected += len(batch)
            metrics.SPOOL_REJECTED.inc(len(batch))
            log.error("InfluxDB refused %d points as invalid, dropped: %s", len(batch), exc)
        except Exception as exc:
            self.failures += 1
            self.last_error = f"{type(exc).__name__}: {exc}"[:500]
            metrics.SPOOL_FORWARD_ERRORS.inc()
            delay = self.backoff.failed()
            log.warning(
                "InfluxDB write failed (%s); %d points stay spooled, retry in %.1f s",
                self.last_error,
                self.spool.points,
                delay,
            )
            return delay
        else:
            self.forwarded += len(batch)
            metrics.SPOOL_FORWARDED.inc(len(batch))
        self.backoff.succeeded()
        self.spool.ack(batch[-1][0])
        return None
