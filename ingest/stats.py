"""Ingest's own counters (read by tests and benchmarks), mirrored into its Prometheus metrics."""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest import metrics


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

    def count_batch(
        self, n: int, accepted: int, stored: int, rejected: dict[str, int], redelivered: int
    ) -> None:
        self.redelivered += redelivered
        metrics.REDELIVERED.inc(redelivered)
        self.received += n
        self.accepted += accepted
        self.stored += stored
        self.batches += 1
        for reason, k in rejected.items():
            self.rejected[reason] = self.rejected.get(reason, 0) + k
            metrics.REJECTED.labels(reason=reason).inc(k)
        metrics.MESSAGES_IN.inc(n)
        metrics.ACCEPTED.inc(accepted)
        metrics.BATCH_SIZE.observe(n)
