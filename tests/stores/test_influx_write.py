"""The InfluxDB adapter's write path, for real against VictoriaMetrics' `/api/v2/write`.

Includes an outage (the server stopped while Anju writes: nothing lost) and restarts of Anju
itself (the spool on disk is forwarded by the next process).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.points import Point
from stores.timeseries.forwarder import Backoff
from stores.timeseries.influx import InfluxTimeSeries
from tests.conftest import require
from tests.stores.victoria import VictoriaMetrics, find_victoria

NOW_MS = int(time.time() * 1000) - 3_600_000  # an hour ago: inside any retention


def points(n: int, *, start: int = 0, home: str = "h1", device: str = "d1") -> list[Point]:
    return [
        Point(
            NOW_MS + i * 10,
            home,
            device,
            i,
            "reading",
            {"heart_rate": 60.0 + i % 40, "steps": i, "ok": True, "note": "好"},
        )
        for i in range(start, start + n)
    ]


@pytest.fixture
def victoria(tmp_path: Path) -> Iterator[VictoriaMetrics]:
    require(find_victoria() is not None, "victoria-metrics is not installed")
    server = VictoriaMetrics(tmp_path / "vm").start()
    try:
        yield server
    finally:
        server.stop()


def make_store(url: str, spool: Path, max_bytes: int = 64 * 1024 * 1024) -> InfluxTimeSeries:
    return InfluxTimeSeries(
        url,
        "token",
        "anju",
        "anju",
        spool_path=spool,
        spool_max_bytes=max_bytes,
        batch_points=500,
        timeout_ms=2000,
        backoff=Backoff(initial_s=0.05, max_s=0.5),
    )


def test_points_arrive_with_tags_fields_and_ms_time(
    victoria: VictoriaMetrics, tmp_path: Path
) -> None:
    store = make_store(victoria.url, tmp_path / "spool.db")
    batch = points(1200) + points(300, home="h2", device="d9")
    store.write(batch)
    store.write(points(1200))  # redelivery: same points again
    assert store.forwarder.drain(30)
    assert store.spool.points == 0
    seqs = victoria.samples("reading_seq", expect=1500)
    assert len(seqs) == 1500  # the redelivered copies overwrote themselves
    assert seqs[("h1", "d1", NOW_MS + 70)] == 7
    assert seqs[("h2", "d9", NOW_MS + 10)] == 1
    rates = victoria.samples("reading_heart_rate", expect=1500)
    assert rates[("h1", "d1", NOW_MS + 50)] == 65.0
    assert victoria.samples("reading_ok", expect=1500)[("h1", "d1", NOW_MS)] == 1
    store.close()


def test_an_outage_loses_nothing(tmp_path: Path) -> None:
    require(find_victoria() is not None, "victoria-metrics is not installed")
    server = VictoriaMetrics(tmp_path / "vm").start()
    store = make_store(server.url, tmp_path / "spool.db")
    try:
        store.write(points(500))
        assert store.forwarder.drain(30)
        server.stop()  # outage
        store.write(points(1500, start=500))
        time.sleep(0.5)  # the forwarder tries and fails, with backoff
        assert store.spool.points == 1500
        assert store.forwarder.failures >= 1
        assert store.spool.evicted == 0
        server.start()  # same port, same data directory
        assert store.forwarder.drain(60)
        seqs = server.samples("reading_seq", expect=2000, timeout_s=30)
        assert sorted(int(v) for v in seqs.values()) == list(range(2000))
    finally:
        store.close(drain_timeout_s=0)
        server.stop()


def test_spooled_points_survive_a_restart_of_anju(tmp_path: Path) -> None:
    require(find_victoria() is not None, "victoria-metrics is not installed")
    server = VictoriaMetrics(tmp_path / "vm")  # not running yet: everything stays spooled
    spool = tmp_path / "spool.db"
    first = make_store(server.url, spool)
    first.write(points(800))
    first.close(drain_timeout_s=0)  # process ends with 800 points pending
    server.start()
    try:
        second = make_store(server.url, spool)
        assert second.spool.points == 800
        assert sorted(second.keys_since(0))[:2] == [("d1", 0), ("d1", 1)]
        assert second.forwarder.drain(60)
        assert len(server.samples("reading_seq", expect=800)) == 800
        second.close()
    finally:
        server.stop()


def test_writes_while_the_forwarder_drains(victoria: VictoriaMetrics, tmp_path: Path) -> None:
    store = make_store(victoria.url, tmp_path / "spool.db")

    def writer() -> None:
        for b in range(10):
            store.write(points(300, start=b * 300))

    thread = threading.Thread(target=writer)  # ingest's writer; the forwarder runs meanwhile
    thread.start()
    thread.join(timeout=60)
    assert store.forwarder.drain(60)
    seqs = victoria.samples("reading_seq", expect=3000)
    assert sorted(int(v) for v in seqs.values()) == list(range(3000))
    assert store.forwarder.forwarded == 3000
    store.close()
