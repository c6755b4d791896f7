"""The durable queue on a real SQLite file: priorities, bounds, eviction, restarts."""

from __future__ import annotations

import time
from pathlib import Path

from gateway.priority import ALARM, EVENT, READING
from gateway.queue import DurableQueue, Item


def _item(prio: int, n: int, size: int = 10) -> Item:
    return Item(prio, f"anju/v1/h/d/{n}", b"x" * size)


def test_rows_come_back_by_priority_and_age(tmp_path: Path) -> None:
    queue = DurableQueue(tmp_path / "q.db")
    queue.put_many([_item(READING, 1), _item(ALARM, 2), _item(EVENT, 3), _item(READING, 4)])
    assert [r.topic[-1] for r in queue.fetch(READING, 0, None, 10)] == ["1", "4"]
    alarm = queue.fetch(ALARM, 0, None, 10)
    assert [r.topic[-1] for r in alarm] == ["2"]
    first = queue.fetch(READING, 0, None, 10)[0]
    assert queue.fetch(READING, first.id, None, 10)[0].topic.endswith("4")
    assert queue.fetch(READING, 0, first.id, 10) == [first]
    queue.delete([alarm[0].id, 12345])
    assert queue.rows == 3
    assert queue.count_by_priority() == {EVENT: 1, READING: 2}


def test_row_bound_evicts_oldest_readings_then_events_never_alarms(tmp_path: Path) -> None:
    queue = DurableQueue(tmp_path / "q.db", max_rows=5)
    queue.put_many([_item(ALARM, i) for i in range(3)])
    queue.put_many([_item(EVENT, 10), _item(READING, 20), _item(READING, 21)])
    assert queue.rows == 5 and queue.evicted == 1
    assert [r.topic for r in queue.fetch(READING, 0, None, 9)] == ["anju/v1/h/d/21"]
    queue.put_many([_item(ALARM, 3), _item(ALARM, 4)])  # readings, then the event, go first
    assert queue.count_by_priority() == {ALARM: 5}
    queue.put_many([_item(ALARM, 5)])  # only alarms left: the bound gives, an alarm never does
    assert queue.count_by_priority() == {ALARM: 6}
    assert queue.evicted == 3


def test_byte_bound(tmp_path: Path) -> None:
    queue = DurableQueue(tmp_path / "q.db", max_bytes=1000)
    queue.put_many([_item(READING, i, size=100) for i in range(10)])
    queue.put_many([_item(ALARM, 99, size=300)])
    assert queue.bytes <= 1000
    assert queue.count_by_priority() == {ALARM: 1, READING: 7}
    assert [r.topic for r in queue.fetch(READING, 0, None, 1)] == ["anju/v1/h/d/3"]


def test_contents_counters_and_seq_survive_reopening(tmp_path: Path) -> None:
    queue = DurableQueue(tmp_path / "q.db", max_rows=2)
    queue.put_many([_item(READING, i) for i in range(5)])
    assert queue.next_seq() == 1 and queue.next_seq() == 2
    queue.close()
    again = DurableQueue(tmp_path / "q.db", max_rows=2)
    assert again.rows == 2 and again.bytes == 20 and again.evicted == 3
    assert again.next_seq() == 3


def test_batched_write_rate(tmp_path: Path) -> None:
    """A modest floor here (shared CI cores); `anju bench gateway` measures the real figure."""
    queue = DurableQueue(tmp_path / "q.db")
    items = [_item(READING, i, size=90) for i in range(20_000)]
    start = time.perf_counter()
    for i in range(0, len(items), 500):
        queue.put_many(items[i : i + 500])
    rate = len(items) / (time.perf_counter() - start)
    assert queue.rows == 20_000
    assert rate > 5_000, f"{rate:.0f} msgs/s"
