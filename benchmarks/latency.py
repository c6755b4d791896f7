"""Latency bookkeeping for the live benchmarks: arrival times by (device, seq), and percentiles."""

from __future__ import annotations

import threading
import time

Key = tuple[str, int]  # (device_id, seq)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(percentile(values, 50), 2), "p99_ms": round(percentile(values, 99), 2)}


class Arrivals:
    """Arrival times (perf_counter) by (device, seq), with a condition to wait on."""

    def __init__(self) -> None:
        self.at: dict[Key, float] = {}
        self.split: dict[Key, tuple[float, float]] = {}  # (press -> alarm saved, saved -> client)
        self.cond = threading.Condition()

    def add(self, key: Key, when: float) -> None:
        with self.cond:
            self.at.setdefault(key, when)
            self.cond.notify_all()

    def wait(self, keys: list[Key], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self.cond:
            while any(k not in self.at for k in keys):
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self.cond.wait(left)


def latencies(
    sent: dict[Key, float], arrivals: Arrivals, timeout: float
) -> tuple[list[float], int]:
    """Milliseconds from each send to its arrival, and how many never arrived within `timeout`."""
    arrivals.wait(list(sent), timeout)
    with arrivals.cond:
        got = [(arrivals.at[k] - t) * 1000 for k, t in sent.items() if k in arrivals.at]
    return got, len(sent) - len(got)
