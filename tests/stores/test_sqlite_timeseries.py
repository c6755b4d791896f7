"""The embedded time-series store on a real SQLite file."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

import stores.timeseries.sqlite as sqlite_module
from domain.points import Point
from stores.timeseries.sqlite import SqliteTimeSeries

T0 = 1_767_225_600_000


def point(seq: int, *, home: str = "h1", device: str = "d1", ts: int | None = None) -> Point:
    return Point(
        ts_ms=T0 + seq * 1000 if ts is None else ts,
        home_id=home,
        device_id=device,
        seq=seq,
        measurement="reading",
        fields={"heart_rate": 70.5, "steps": seq, "ok": True, "note": "好"},
    )


def test_round_trip_keeps_types_and_order(tmp_path: Path) -> None:
    store = SqliteTimeSeries(tmp_path / "ts.db")
    store.write([point(3), point(1), point(2)])
    got = store.query("h1", T0, T0 + 10_000)
    assert [p.seq for p in got] == [1, 2, 3]
    assert got[0] == point(1)
    assert isinstance(got[0].fields["steps"], int)
    assert isinstance(got[0].fields["heart_rate"], float)
    assert got[0].fields["ok"] is True
    store.close()


def test_redelivered_points_are_stored_once(tmp_path: Path) -> None:
    store = SqliteTimeSeries(tmp_path / "ts.db")
    store.write([point(i) for i in range(100)])
    store.write([point(i) for i in range(50, 150)])  # half of it again
    assert store.count() == 150
    changed = Point(T0, "h1", "d1", 0, "reading", {"heart_rate": 1.0})
    store.write([changed])
    assert store.query("h1", T0, T0 + 1, device_id="d1")[0].fields == point(0).fields
    store.close()


def test_query_filters_by_home_window_device_measurement_and_limit(tmp_path: Path) -> None:
    store = SqliteTimeSeries(tmp_path / "ts.db")
    store.write([point(i, device="a") for i in range(10)])
    store.write([point(i, device="b") for i in range(10)])
    store.write([point(i, home="h2", device="c") for i in range(10)])
    store.write([Point(T0 + 5, "h1", "a", 99, "event", {"type": "sos"})])
    assert len(store.query("h1", T0, T0 + 10_000)) == 21
    assert len(store.query("h1", T0 + 2000, T0 + 5000)) == 6  # end is exclusive
    assert {p.device_id for p in store.query("h1", T0, T0 + 10_000, device_id="b")} == {"b"}
    events = store.query("h1", T0, T0 + 10_000, measurement="event")
    assert [(p.seq, p.fields) for p in events] == [(99, {"type": "sos"})]
    assert [p.seq for p in store.query("h1", T0, T0 + 10_000, limit=3)] == [0, 0, 99]
    assert store.query("nobody", 0, 2**62) == []
    store.close()


def test_keys_since_streams_every_key_in_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_module, "KEYS_CHUNK", 7)  # several chunks
    store = SqliteTimeSeries(tmp_path / "ts.db")
    store.write([point(i) for i in range(30)])
    store.write([point(i, device="x") for i in range(5)])  # all older than the start below
    keys = list(store.keys_since(T0 + 10_000))
    assert sorted(keys) == [("d1", i) for i in range(10, 30)]
    assert len(list(store.keys_since(0))) == 35
    store.close()


def test_reopen_after_close_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "ts.db"
    store = SqliteTimeSeries(path)
    store.write([point(i) for i in range(20)])
    store.close()
    again = SqliteTimeSeries(path)
    assert again.count() == 20
    again.close()


def test_write_is_durable_when_it_returns(tmp_path: Path) -> None:
    """A child process writes and is killed -9 right after write() returned."""
    path = tmp_path / "ts.db"
    code = (
        "import os, signal, sys\n"
        "from domain.points import Point\n"
        "from stores.timeseries.sqlite import SqliteTimeSeries\n"
        f"s = SqliteTimeSeries(__import__('pathlib').Path({str(path)!r}))\n"
        "s.write([Point(i, 'h', 'd', i, 'reading', {'v': i}) for i in range(1000)])\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], check=False, timeout=60)
    assert proc.returncode == -9
    store = SqliteTimeSeries(path)
    assert store.count() == 1000
    store.close()


def test_one_writer_and_readers_on_other_threads(tmp_path: Path) -> None:
    store = SqliteTimeSeries(tmp_path / "ts.db")
    errors: list[BaseException] = []
    done = threading.Event()
    seen: list[int] = []

    def writer() -> None:
        try:
            for batch in range(40):
                store.write([point(batch * 100 + i) for i in range(100)])
        except BaseException as exc:
            errors.append(exc)
        finally:
            done.set()

    def reader() -> None:
        try:
            while not done.is_set():
                seen.append(len(store.query("h1", T0, T0 + 10**9, limit=50)))
                store.count()
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=writer),
        *(threading.Thread(target=reader) for _ in range(3)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert store.count() == 4000
    assert seen  # the readers ran while the writer wrote
    store.close()


def test_another_process_reads_while_this_one_holds_the_store(tmp_path: Path) -> None:
    """The web app or an `anju` command may run in another process than ingest."""
    path = tmp_path / "ts.db"
    store = SqliteTimeSeries(path)
    store.write([point(i) for i in range(300)])
    code = (
        "import pathlib\n"
        "from stores.timeseries.sqlite import SqliteTimeSeries\n"
        f"s = SqliteTimeSeries(pathlib.Path({str(path)!r}))\n"
        f"print(s.count(), len(s.query('h1', {T0}, {T0 + 10**9})))\n"
        "s.write([__import__('domain.points').points.Point(1, 'h9', 'other', 1, 'reading', {})])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=60
    )
    assert out.stdout.split() == ["300", "300"]
    assert store.count() == 301  # and the other process could write too
    store.close()
