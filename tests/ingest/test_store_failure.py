"""A failing store stalls nothing and loses nothing: the batch is retried without acknowledging;
stopping during the outage leaves it to the broker, which hands it to the next start."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path

from broker.mosquitto import Mosquitto
from domain.clock import SystemClock
from domain.decode import Message
from domain.model import Device
from domain.points import Point
from domain.rejects import Reason, Rejected
from ingest import metrics
from ingest.gate import Accepted
from ingest.service import IngestOptions, IngestService
from stores.timeseries.sqlite import SqliteTimeSeries
from tests.ingest.helpers import Publisher, open_stores, provision, wait_until


class FlakyStore(SqliteTimeSeries):
    """The real SQLite store, with an outage switched on and off by the test."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.down = threading.Event()
        self.failed = 0

    def write(self, points: Sequence[Point]) -> None:
        if self.down.is_set():
            self.failed += 1
            raise OSError("disk unavailable (test outage)")
        super().write(points)


class BrokenSink:
    def __init__(self) -> None:
        self.calls = 0

    def accept(self, items: Sequence[tuple[Message, Device]]) -> None:
        self.calls += 1
        raise RuntimeError("a detector bug")


def test_store_outage_is_retried_and_survives_a_restart(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    plain_ts, state = open_stores(tmp_path)
    plain_ts.close()
    ts = FlakyStore(tmp_path / "ts.db")
    provision(state, {"h1": ["d1"]})
    options = IngestOptions(
        port=mosquitto.port, client_id="ingest-flaky", retry_initial_s=0.02, retry_max_s=0.1
    )
    sink = BrokenSink()
    errors_before = metrics.STORE_ERRORS._value.get()
    service = IngestService(ts, state, SystemClock(), sink, options).start()
    publisher = Publisher(mosquitto.port, "flaky-pub")
    try:
        assert service.wait_connected()
        time.sleep(0.2)
        publisher.reading("h1", "d1", 1)
        wait_until(lambda: ts.count() == 1, 10, "first reading")
        assert sink.calls == 1 and service.healthy  # the sink's bug did not stop anything

        ts.down.set()
        for seq in (2, 3, 4):
            publisher.reading("h1", "d1", seq)
        wait_until(lambda: ts.failed >= 3, 10, "retries during the outage")
        assert service.healthy and ts.count() == 1
        assert metrics.STORE_ERRORS._value.get() - errors_before >= 3

        service.stop()  # during the outage: the batch stays unacknowledged at the broker
        ts.down.clear()
        service = IngestService(ts, state, SystemClock(), sink, options).start()
        publisher.reading("h1", "d1", 5)
        wait_until(lambda: ts.count() == 5, 15, "everything after the outage")
        assert sorted(s for _, s in ts.keys_since(0)) == [1, 2, 3, 4, 5]
    finally:
        publisher.close()
        service.stop()
        ts.close()
        state.close()


def test_a_bug_on_one_message_costs_that_message_only(mosquitto: Mosquitto, tmp_path: Path) -> None:
    ts, state = open_stores(tmp_path)
    provision(state, {"h1": ["d1"]})
    options = IngestOptions(port=mosquitto.port, client_id="ingest-bug")
    service = IngestService(ts, state, SystemClock(), options=options)
    real_check = service.gate.check

    def buggy_check(topic_name: str, payload: bytes, now: int) -> Accepted | Rejected:
        if b'"seq": 2,' in payload:
            raise KeyError("a bug that only this message triggers")
        return real_check(topic_name, payload, now)

    service.gate.check = buggy_check  # type: ignore[method-assign,assignment]
    service.start()
    publisher = Publisher(mosquitto.port, "bug-pub")
    try:
        assert service.wait_connected()
        time.sleep(0.2)
        for seq in (1, 2, 3):
            publisher.reading("h1", "d1", seq)
        wait_until(lambda: service.stats.received >= 3, 10, "three messages")
        assert sorted(s for _, s in ts.keys_since(0)) == [1, 3]
        kept = state.dead_letters(reason=Reason.DECODER.value)
        assert len(kept) == 1 and b'"seq": 2,' in kept[0].payload
        assert service.healthy
    finally:
        publisher.close()
        service.stop()
        ts.close()
        state.close()
