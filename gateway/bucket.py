"""Token bucket: replay at a bounded rate, on an injected clock."""

from __future__ import annotations

from domain.clock import Clock


class TokenBucket:
    def __init__(self, rate: float, burst: int, clock: Clock) -> None:
        if rate <= 0 or burst <= 0:
            raise ValueError("rate and burst must be positive")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = float(burst)
        self._at = clock.now()

    def configure(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self._tokens = min(self._tokens, float(burst))

    def available(self) -> int:
        now = self._clock.now()
        elapsed = max(now - self._at, 0.0)
        self._at = now
        self._tokens = min(self._tokens + elapsed * self.rate, float(self.burst))
        return int(self._tokens + 1e-3)  # epoch floats carry ~0.2 µs of noise

    def take(self, wanted: int) -> int:
        """Take up to `wanted` tokens; returns how many were granted."""
        granted = min(wanted, self.available())
        self._tokens -= granted
        return max(granted, 0)
