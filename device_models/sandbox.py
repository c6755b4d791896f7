"""Run a decoder with a time limit, inline on the caller's thread.

Decoders are pure Python and are called up to ~100,000 times a second, so handing each call to
another thread or process (tens of microseconds each way) would cost more than the decode
itself. Instead the decoder runs on the caller's thread and a single watchdog thread looks at
it every `WATCH_INTERVAL_S`: a call it sees still running past its deadline gets a
`DecoderTimeout` raised inside it (CPython's PyThreadState_SetAsyncExc), which unwinds the
decoder at its next bytecode. The cost on the hot path is a dict write and a lock round trip
per call (measured by `anju bench models`).

Limits of this choice: a decoder stuck inside one long C call (a regex with catastrophic
backtracking, `10**10**9`) is only interrupted when that call returns; the payload size limit,
checked before the call, keeps such inputs small. `DecoderTimeout` derives from BaseException,
so a decoder's `except Exception:` cannot swallow it (and it is raised again every interval
until the decoder gives up).
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Callable
from threading import get_ident
from typing import Any, TypeVar

WATCH_INTERVAL_S = 0.005

T = TypeVar("T")


class DecoderTimeout(BaseException):
    """The decoder ran past its time limit."""


# a call in progress: [deadline, seen_at]. The limit (s) sits in `deadline` until the watchdog
# first sees the call and makes it a monotonic deadline; seen_at -1.0 means "interrupted".
_LIMIT, _SEEN = 0, 1


class Watchdog:
    """Interrupts calls that overrun. One per process is enough (`WATCHDOG`)."""

    def __init__(self, interval_s: float = WATCH_INTERVAL_S) -> None:
        self.interval_s = interval_s
        self._active: dict[int, list[float]] = {}  # thread id -> the call it is in
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.interrupts = 0

    def call(self, limit_s: float, fn: Callable[..., T], *args: Any) -> T:
        """fn(*args), raising DecoderTimeout if it runs longer than about `limit_s`
        (between limit_s and limit_s + interval_s, plus the wait for the GIL)."""
        if self._thread is None:
            self._start()
        tid = get_ident()
        call = [limit_s, 0.0]
        self._active[tid] = call
        try:
            return fn(*args)
        finally:
            self._leave(tid, call)

    def _leave(self, tid: int, call: list[float]) -> None:
        while True:  # an interrupt that lands during the clean-up is absorbed, never left over
            try:
                with self._lock:
                    if self._active.get(tid) is call:
                        del self._active[tid]
                if call[_SEEN] == -1.0:  # fired: one may still be pending, take it back
                    _set_async_exc(tid, None)
                return
            except DecoderTimeout:
                continue

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._watch, name="decoder-watchdog", daemon=True
                )
                self._thread.start()

    def _watch(self) -> None:
        while True:
            time.sleep(self.interval_s)
            if not self._active:
                continue
            now = time.monotonic()
            with self._lock:
                for tid, call in list(self._active.items()):
                    if call[_SEEN] == 0.0:
                        call[_SEEN] = now
                        call[_LIMIT] = now + call[_LIMIT]
                    elif now >= call[_LIMIT]:
                        call[_SEEN] = -1.0  # fired: the caller clears what is left pending
                        self.interrupts += 1
                        _set_async_exc(tid, DecoderTimeout)


def _set_async_exc(thread_id: int, exc: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc is not None else None
    )


WATCHDOG = Watchdog()
