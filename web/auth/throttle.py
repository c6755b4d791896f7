"""Log-in throttling: after N failures for a user name or an address, refuse for a while.

In memory, per process (a restart forgets); time comes from the injected clock.
"""

from __future__ import annotations

import threading
from collections import deque

from domain.clock import Clock


class LoginThrottle:
    def __init__(
        self, clock: Clock, *, max_failures: int = 5, window_s: float = 900, lock_s: float = 900
    ) -> None:
        self.clock = clock
        self.max_failures = max_failures
        self.window_s = window_s
        self.lock_s = lock_s
        self._failures: dict[str, deque[float]] = {}
        self._locked: dict[str, float] = {}
        self._lock = threading.Lock()

    def retry_after(self, *keys: str) -> float:
        """Seconds until a log-in may be tried again for any of `keys` (0: now)."""
        now = self.clock.now()
        with self._lock:
            waits = [self._locked.get(k, 0.0) - now for k in keys]
        return max(0.0, *waits)

    def failed(self, *keys: str) -> None:
        now = self.clock.now()
        with self._lock:
            if len(self._failures) > 100_000:  # bound memory under a spray of names
                self._forget_old(now)
            for key in keys:
                times = self._failures.setdefault(key, deque())
                times.append(now)
                while times and times[0] <= now - self.window_s:
                    times.popleft()
                if len(times) >= self.max_failures:
                    self._locked[key] = now + self.lock_s
                    times.clear()

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)

    def _forget_old(self, now: float) -> None:
        for key in [k for k, t in self._failures.items() if not t or t[-1] <= now - self.window_s]:
            del self._failures[key]
        for key in [k for k, until in self._locked.items() if until <= now]:
            del self._locked[key]
