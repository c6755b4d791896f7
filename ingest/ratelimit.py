"""Per-device token buckets: one flooding device cannot crowd out the others.

A bucket refills with the time that passed on Anju's clock *or* on the device's own clock
(its message timestamps), whichever advanced more. A device that floods now is limited by both;
a backlog that a broker or gateway replays after an outage (hours of readings arriving within
seconds, their timestamps spread over those hours) refills by device time and passes. Device
time cannot be pushed far ahead: decode rejects timestamps more than a few minutes ahead, and
refill never exceeds the bucket's capacity.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class _Bucket:
    tokens: float
    now_ms: int
    device_ms: int


class RateLimiter:
    def __init__(self, rate_per_s: float, burst: int) -> None:
        if rate_per_s <= 0 or burst < 1:
            raise ValueError("rate_per_s must be > 0 and burst >= 1")
        self.rate_per_ms = rate_per_s / 1000.0
        self.burst = float(burst)
        self._buckets: dict[str, _Bucket] = {}

    def allow(self, key: str, now_ms: int, device_ms: int | None = None) -> bool:
        """Take one token from `key`'s bucket; False if it is empty."""
        bucket = self._buckets.get(key)
        dev = now_ms if device_ms is None else device_ms
        if bucket is None:
            self._buckets[key] = _Bucket(self.burst - 1.0, now_ms, dev)
            return True
        elapsed = max(now_ms - bucket.now_ms, dev - bucket.device_ms, 0)
        if elapsed:
            bucket.tokens = min(self.burst, bucket.tokens + elapsed * self.rate_per_ms)
        bucket.now_ms = max(bucket.now_ms, now_ms)
        bucket.device_ms = max(bucket.device_ms, dev)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return True
        return False

    def forget(self, key: str) -> None:
        self._buckets.pop(key, None)
