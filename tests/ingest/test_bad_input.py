"""Bad input against a real Mosquitto and the real SQLite stores: every kind is rejected with a
counted reason, its raw payload kept as a dead letter, and the service keeps taking good input."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from broker.mosquitto import Mosquitto
from domain.clock import SystemClock
from domain.rejects import Reason
from domain.topics import topic
from ingest import metrics
from ingest.service import IngestOptions, IngestService
from tests.ingest.helpers import Publisher, open_stores, provision, reading, wait_until


def NOW() -> int:  # noqa: N802
    return int(time.time() * 1000)


def _cases() -> list[tuple[str, Reason, str, bytes]]:
    """(name, reason, topic, payload); d1 of home h1 publishes unless the case says otherwise."""
    t = topic("h1", "d1", "reading")
    ok = {"v": 1, "seq": 0, "ts": 0, "values": {"heart_rate": 70}}

    def body(**changes: object) -> bytes:
        doc = {**ok, "ts": NOW(), **changes}
        return json.dumps(doc).encode()

    return [
        ("malformed json", Reason.MALFORMED, t, b'{"v": 1, "seq": 1,'),
        ("wrong type", Reason.SCHEMA, t, body(seq="one")),
        ("missing field", Reason.SCHEMA, t, b'{"v": 1, "ts": %d, "values": {}}' % NOW()),
        ("unknown version", Reason.UNKNOWN_VERSION, t, body(v=7, seq=2)),
        ("oversized", Reason.OVERSIZED, t, b'{"pad": "' + b"x" * 70_000 + b'"}'),
        (
            "nan",
            Reason.NON_FINITE,
            t,
            b'{"v":1,"seq":3,"ts":%d,"values":{"heart_rate":NaN}}' % NOW(),
        ),
        (
            "inf",
            Reason.NON_FINITE,
            t,
            b'{"v":1,"seq":4,"ts":%d,"values":{"spo2":Infinity}}' % NOW(),
        ),
        ("future", Reason.CLOCK_FUTURE, t, body(seq=5, ts=NOW() + 3600_000)),
        ("past", Reason.CLOCK_PAST, t, body(seq=6, ts=NOW() - 30 * 86400_000)),
        ("unknown device", Reason.UNKNOWN_DEVICE, topic("h1", "ghost", "reading"), body(seq=7)),
        ("other home", Reason.SPOOFED, topic("h2", "d1", "reading"), body(seq=8)),
        ("out of range", Reason.OUT_OF_RANGE, t, body(seq=9, values={"heart_rate": 900})),
    ]


@pytest.fixture
def running(mosquitto: Mosquitto, tmp_path: Path) -> Iterator[tuple[IngestService, Publisher]]:
    ts, state = open_stores(tmp_path / "stores")
    provision(state, {"h1": ["d1", "flood"], "h2": ["d2"]})
    options = IngestOptions(
        port=mosquitto.port, client_id="ingest-bad", rate_per_s=5.0, burst=50, batch_ms=10
    )
    service = IngestService(ts, state, SystemClock(), options=options).start()
    assert service.wait_connected()
    time.sleep(0.2)  # subscription in place
    publisher = Publisher(mosquitto.port)
    try:
        yield service, publisher
    finally:
        publisher.close()
        service.stop()
        ts.close()
        state.close()


def test_each_bad_input_is_counted_kept_and_harmless(
    running: tuple[IngestService, Publisher],
) -> None:
    service, publisher = running
    cases = _cases()
    before = {c[1]: metrics.rejected_count(c[1]) for c in cases}
    expected: dict[Reason, int] = {}
    for _name, reason, topic_name, payload in cases:
        publisher.publish(topic_name, payload)
        expected[reason] = expected.get(reason, 0) + 1
    publisher.reading("h1", "d1", 100)  # a good one after all the bad ones
    publisher.flush()
    wait_until(lambda: service.stats.received >= len(cases) + 1, what="all messages handled")

    for reason, n in expected.items():
        assert metrics.rejected_count(reason) - before[reason] == n, reason
        assert service.stats.rejected.get(reason.value) == n, reason
    letters = service.state_store.dead_letters(limit=100)
    kept = {(x.topic, x.payload) for x in letters}
    for name, reason, topic_name, payload in cases:
        assert (topic_name, payload) in kept, name
        assert any(x.reason == reason.value and x.payload == payload for x in letters), name
    assert service.healthy
    assert service.ts_store.count() == 1
    assert service.stats.accepted == 1


def test_replayed_sequence_numbers_are_duplicates(
    running: tuple[IngestService, Publisher],
) -> None:
    service, publisher = running
    before = metrics.rejected_count(Reason.DUPLICATE)
    for seq in (1, 2, 3):
        publisher.reading("h1", "d1", seq)
    replay = reading(2)
    publisher.publish(topic("h1", "d1", "reading"), replay)
    publisher.reading("h1", "d1", 1)
    publisher.reading("h1", "d1", 4)
    publisher.flush()
    wait_until(lambda: service.stats.received >= 6, what="six messages")
    assert metrics.rejected_count(Reason.DUPLICATE) - before == 2
    assert service.ts_store.count() == 4
    kept = service.state_store.dead_letters(reason=Reason.DUPLICATE.value)
    assert replay in {x.payload for x in kept}
    assert service.healthy


def test_flood_from_one_device_is_limited_and_others_get_through(
    running: tuple[IngestService, Publisher],
) -> None:
    service, publisher = running
    before = metrics.rejected_count(Reason.RATE_LIMITED)
    flood, others = 400, 20
    started = time.monotonic()
    for seq in range(flood):
        publisher.reading("h1", "flood", seq)
        if seq % (flood // others) == 0:
            publisher.reading("h2", "d2", seq // (flood // others))
    elapsed = time.monotonic() - started
    publisher.flush()
    wait_until(lambda: service.stats.received >= flood + others, what="flood handled")
    limited = metrics.rejected_count(Reason.RATE_LIMITED) - before
    # burst 50, then 5/s for as long as the flood lasted (device timestamps = publish time)
    passed = flood - limited
    assert 50 <= passed <= 50 + 5 * (elapsed + 1), (passed, elapsed)
    assert limited > 0
    stored_d2 = service.ts_store.query("h2", 0, NOW() + 60_000, device_id="d2")
    assert len(stored_d2) == others
    assert len(service.state_store.dead_letters(reason=Reason.RATE_LIMITED.value, limit=1000)) == (
        limited
    )
    assert service.healthy
