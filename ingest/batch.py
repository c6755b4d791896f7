"""One batch of ingest: taken off the queue (events do not wait for company), then judged
message by message into points to store, dead letters, and counts."""

from __future__ import annotations

import logging
import queue
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from domain.decode import Message
from domain.model import Device
from domain.points import Point, to_point
from domain.ports import DeadLetter
from domain.rejects import Reason, Rejected
from ingest.gate import Accepted

log = logging.getLogger(__name__)


class Item(NamedTuple):
    topic: str
    payload: bytes
    mid: int
    qos: int
    dup: bool  # the broker is sending it again (an earlier delivery was not acknowledged)
    generation: int  # which connection it came on: a PUBACK is only valid on that one


# (lane: 0 urgent, 1 readings; arrival order; item): FIFO within each lane
Queue = queue.PriorityQueue[tuple[int, int, Item]]


def take_batch(
    q: Queue, urgent_topic: Callable[[str], bool], limit: int, batch_ms: int
) -> list[Item]:
    """Up to `limit` items: what is queued now, then up to `batch_ms` more unless one is urgent."""
    try:
        first = q.get(timeout=0.1)[2]
    except queue.Empty:
        return []
    items = [first]
    urgent = urgent_topic(first.topic)
    deadline: float | None = None
    while len(items) < limit:
        try:
            item = q.get_nowait()[2]
        except queue.Empty:
            pass
        else:
            items.append(item)
            urgent = urgent or urgent_topic(item.topic)
            continue
        if urgent:  # an event (SOS, fall...) does not wait for company: detectors want it now
            break
        now = time.monotonic()
        if deadline is None:
            deadline = now + batch_ms / 1000.0
        if now >= deadline:
            break
        try:
            item = q.get(timeout=deadline - now)[2]
        except queue.Empty:
            break
        items.append(item)
        urgent = urgent_topic(item.topic)
    return items


@dataclass
class Judged:
    accepted: list[tuple[Message, Device]] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    letters: list[DeadLetter] = field(default_factory=list)
    rejected: dict[str, int] = field(default_factory=dict)  # reason -> count
    redelivered: int = 0


def judge(
    items: Sequence[Item],
    check: Callable[[str, bytes, int], Sequence[Accepted | Rejected]],
    now: int,
) -> Judged:
    out = Judged()
    for item in items:
        try:  # one raw message, one verdict (a device model's payload may say several things)
            verdicts = check(item.topic, item.payload, now)
            pairs = [
                (v, to_point(v.message) if isinstance(v, Accepted) else None) for v in verdicts
            ]
        except Exception as exc:  # a bug must cost one message (kept), never the batch
            log.exception("ingest: check failed on %s", item.topic)
            pairs = [(Rejected(Reason.DECODER, f"{type(exc).__name__}: {exc}"[:300]), None)]
        for verdict, point in pairs:
            if isinstance(verdict, Accepted):
                out.accepted.append((verdict.message, verdict.device))
                if point is not None:
                    out.points.append(point)
            elif verdict.reason is Reason.DUPLICATE and item.dup:
                # the broker's own redelivery of what was stored before an ack got through:
                # expected after a restart, not a device replaying, so no dead letter
                out.redelivered += 1
            else:
                reason = verdict.reason.value
                out.rejected[reason] = out.rejected.get(reason, 0) + 1
                out.letters.append(
                    DeadLetter(now, reason, verdict.detail, item.topic, item.payload)
                )
    return out
