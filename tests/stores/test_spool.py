"""The bounded disk spool and the forwarder's decisions (real SQLite file, a fake sender)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from prometheus_client import REGISTRY

from domain.points import Point
from stores.timeseries.forwarder import Backoff, Forwarder, Rejected, TooLarge
from stores.timeseries.lineprotocol import to_line
from stores.timeseries.spool import Entry, Spool


def entry(seq: int, size: int = 100) -> Entry:
    return Entry("d1", seq, 1000 + seq, b"x" * size)


def evicted_metric() -> float:
    value = REGISTRY.get_sample_value("anju_spool_evicted_points_total")
    return value or 0.0


def test_bound_evicts_oldest_and_counts(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool.db", max_bytes=1000)
    before = evicted_metric()
    assert spool.append([entry(i) for i in range(8)]) == 0
    assert (spool.points, spool.size_bytes) == (8, 800)
    assert spool.append([entry(i) for i in range(8, 13)]) == 3  # 1300 bytes: 3 oldest go
    assert (spool.points, spool.size_bytes) == (10, 1000)
    assert [row_id for row_id, _ in spool.peek(100)] == list(range(4, 14))
    assert sorted(seq for _, seq in spool.keys_since(0)) == list(range(3, 13))
    assert [seq for _, seq in spool.keys_since(1005, chunk=3)] == list(range(5, 13))
    assert spool.evicted == 3
    assert evicted_metric() - before == 3
    spool.close()


def test_a_batch_larger_than_the_bound_keeps_its_newest_points(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool.db", max_bytes=250)
    assert spool.append([entry(i) for i in range(10)]) == 8
    assert sorted(seq for _, seq in spool.keys_since(0)) == [8, 9]
    spool.close()


def test_ack_deletes_only_what_was_accepted_and_the_spool_survives_restart(tmp_path: Path) -> None:
    path = tmp_path / "spool.db"
    spool = Spool(path, max_bytes=10**6)
    spool.append([entry(i) for i in range(10)])
    batch = spool.peek(4)
    spool.ack(batch[-1][0])
    assert spool.points == 6
    spool.close()
    reopened = Spool(path, max_bytes=10**6)
    assert (reopened.points, reopened.size_bytes) == (6, 600)
    assert [row_id for row_id, _ in reopened.peek(2)] == [5, 6]
    reopened.close()


def test_append_is_durable_when_it_returns(tmp_path: Path) -> None:
    path = tmp_path / "spool.db"
    code = (
        "import os, signal, pathlib\n"
        "from stores.timeseries.spool import Entry, Spool\n"
        f"s = Spool(pathlib.Path({str(path)!r}), 10**6)\n"
        "s.append([Entry('d', i, i, b'line') for i in range(500)])\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False, timeout=60).returncode == -9
    spool = Spool(path, 10**6)
    assert spool.points == 500
    spool.close()


class Server:
    """Records bodies; fails on demand (a fake of the HTTP write, for the decision logic)."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.fail_with: Exception | None = None

    def __call__(self, body: bytes) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.bodies.append(body)


def test_forwarder_keeps_data_on_failure_and_backs_off(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool.db", max_bytes=10**6)
    server = Server()
    forwarder = Forwarder(spool, server, batch_points=4, backoff=Backoff(1.0, 8.0))
    spool.append([entry(i, 3) for i in range(10)])
    server.fail_with = ConnectionRefusedError("down")
    assert [forwarder.step() for _ in range(5)] == [1.0, 2.0, 4.0, 8.0, 8.0]
    assert spool.points == 10
    server.fail_with = None
    assert forwarder.step() is None
    assert forwarder.backoff.current_s == 0
    assert spool.points == 6
    while spool.points:
        forwarder.step()
    assert [body.count(b"\n") + 1 for body in server.bodies] == [4, 4, 2]
    assert forwarder.forwarded == 10
    assert forwarder.step() == forwarder.idle_s
    spool.close()


def test_forwarder_drops_invalid_batches_and_splits_large_ones(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool.db", max_bytes=10**6)
    server = Server()
    forwarder = Forwarder(spool, server, batch_points=8)
    spool.append([entry(i, 3) for i in range(8)])
    server.fail_with = TooLarge("413")
    assert forwarder.step() is None
    assert forwarder.batch_points == 4
    assert spool.points == 8
    server.fail_with = Rejected("400 bad line")
    forwarder.step()
    assert (forwarder.rejected, spool.points) == (4, 4)


def test_line_protocol_escapes_and_types() -> None:
    point = Point(
        1700000000123,
        "home 1",
        "dev,a=b",
        42,
        "reading",
        {"heart_rate": 71.0, "steps": 10, "ok": False, "say": 'a "q" \\ z', "bad": float("nan")},
    )
    assert to_line(point) == (
        b"reading,device_id=dev\\,a\\=b,home_id=home\\ 1 "
        b'seq=42i,heart_rate=71.0,ok=false,say="a \\"q\\" \\\\ z",steps=10i 1700000000123'
    )
