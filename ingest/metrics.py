"""Ingest's Prometheus metrics (default registry, so `/metrics` of any Anju process shows them).

Counted per batch, not per message, to keep the hot path cheap.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from domain.rejects import Reason

MESSAGES_IN = Counter("anju_ingest_messages", "MQTT messages taken off the broker by ingest")
ACCEPTED = Counter("anju_ingest_accepted", "messages that passed every check and were stored")
REJECTED = Counter("anju_ingest_rejected", "messages rejected, by reason", ["reason"])
REDELIVERED = Counter(
    "anju_ingest_redelivered",
    "messages the broker sent again that were already stored (after a reconnect or restart)",
)
STORE_WRITE_SECONDS = Histogram(
    "anju_ingest_store_write_seconds",
    "time to write one batch durably (points and dead letters)",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
STORE_ERRORS = Counter("anju_ingest_store_errors", "failed batch writes (retried, not acked)")
QUEUE_DEPTH = Gauge("anju_ingest_queue_depth", "messages waiting between MQTT and the workers")
BATCH_SIZE = Histogram(
    "anju_ingest_batch_size",
    "messages per batch",
    buckets=(1, 10, 50, 100, 250, 500, 1000, 2500, 5000),
)
CONNECTED = Gauge("anju_ingest_connected", "1 while ingest is connected to the broker")

for _reason in Reason:  # every reason shows up as 0 before it first happens
    REJECTED.labels(reason=_reason.value)


def rejected_count(reason: Reason) -> float:
    """Current value of the rejected counter for one reason (tests, health)."""
    value: float = REJECTED.labels(reason=reason.value)._value.get()
    return value
