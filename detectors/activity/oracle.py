"""What any silence-threshold detector could reach on a labelled recording: evaluation only.

The detector has to guess from sensors whether she is out or asleep, and learn from the past
how long she is normally still. These learners are told both by the labels, so they show what
the sensors' silences themselves allow:

- **hindsight**: per context, the longest silence she will have in the judged days, plus a
  minute. No false alarm by construction; no real detector knows the future.
- **learned x m**: per context, the longest silence before the judged day (learning from the
  start, online, day by day) times m, at least `floor_s`; a context never seen before takes the
  longest silence of any context.

A silence counts while she is home and up by the labels; it ends where an away or sleep label
begins. A context is (room, hour) or (sensor, part of the day) of the event that began it. A
false alarm is a silence in the judged days longer than its threshold; a collapse cut waits
from the cut to the last event's time plus the threshold (the cuts are the evaluation's own).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Hashable
from dataclasses import dataclass

import numpy as np

from detectors.activity.evaluate import (
    AWAY_LABELS,
    DAY_MS,
    REST_LABELS,
    Replay,
    summarise,
    window,
)
from detectors.activity.rules import day_part

CONTEXTS = ("room_hour", "sensor_part")
STOP_WORDS = AWAY_LABELS + REST_LABELS


@dataclass(frozen=True, slots=True)
class Silence:
    start_ms: int
    context: Hashable
    duration_ms: int


def context_of(name: str) -> Callable[[Replay, int], Hashable]:
    def room_hour(replay: Replay, i: int) -> Hashable:
        ts, _, device = replay.items[i]
        return (device.room, (ts % DAY_MS) // 3_600_000)

    def sensor_part(replay: Replay, i: int) -> Hashable:
        ts, _, device = replay.items[i]
        hour = (ts % DAY_MS) // 3_600_000
        return (device.device_id, day_part(hour))

    return {"room_hour": room_hour, "sensor_part": sensor_part}[name]


def silences(replay: Replay, context: str) -> list[Silence]:
    """Every gap between events that begins with her home and up (by the labels), cut short
    where an away or sleep label begins."""
    rec, items, ctx = replay.recording, replay.items, context_of(context)
    spans = [(s, e) for s, e, a in rec.activities if any(w in a.lower() for w in STOP_WORDS)]
    starts = np.array(sorted(s for s, _ in spans), dtype=np.int64)
    out: list[Silence] = []
    for i in range(len(items) - 1):
        begin, end = items[i][0], items[i + 1][0]
        if any(s <= begin < e for s, e in spans):
            continue
        nxt = int(np.searchsorted(starts, begin, side="right"))
        if nxt < len(starts):
            end = min(end, int(starts[nxt]))
        out.append(Silence(begin, ctx(replay, i), end - begin))
    return out


def judge(
    replay: Replay,
    cuts: list[int],
    context: str,
    margin: float | None,
    judged_from_days: float,
    *,
    floor_s: float = 45 * 60,
) -> dict[str, object]:
    """False alarms and day-collapse waits of one learner (`margin` None: hindsight)."""
    lo, hi = window(replay.recording, judged_from_days, None)
    found = silences(replay, context)
    ctx = context_of(context)

    future: dict[Hashable, int] = {}
    for item in found:
        if lo <= item.start_ms < hi:
            future[item.context] = max(future.get(item.context, 0), item.duration_ms)
    past = _past_longest(found)
    past_days = sorted(past)

    def threshold(key: Hashable, day_start: int) -> float:
        if margin is None:
            return future.get(key, 0) + 60_000
        at = bisect.bisect_right(past_days, day_start) - 1  # the last day with a silence
        seen, longest_any = past[past_days[at]] if at >= 0 else ({}, 0)
        longest = seen.get(key, longest_any)
        return max(longest * margin, floor_s * 1000)

    false = sum(
        1
        for s in found
        if lo <= s.start_ms < hi and s.duration_ms > threshold(s.context, _day(s.start_ms))
    )
    times, waits = replay.times, list[float | None]()
    for cut in cuts:
        last = int(np.searchsorted(times, cut)) - 1
        limit = threshold(ctx(replay, last), _day(cut))
        waits.append(max(0.0, (int(times[last]) + limit - cut) / 60_000))
    span_days = max((hi - lo) / DAY_MS, 1e-9)
    return {
        "false_alarms": false,
        "per_30_days": round(false / span_days * 30, 1),
        **summarise(waits),
    }


def _day(ts_ms: int) -> int:
    return ts_ms - ts_ms % DAY_MS


def _past_longest(found: list[Silence]) -> dict[int, tuple[dict[Hashable, int], int]]:
    """For each day: the longest silence per context before it, and of any context."""
    out: dict[int, tuple[dict[Hashable, int], int]] = {}
    seen: dict[Hashable, int] = {}
    longest_any = 0
    for item in sorted(found, key=lambda x: x.start_ms):
        day = _day(item.start_ms)
        if day not in out:
            out[day] = (dict(seen), longest_any)
        seen[item.context] = max(seen.get(item.context, 0), item.duration_ms)
        longest_any = max(longest_any, item.duration_ms)
    return out


def table(
    replay: Replay, cuts: list[int], judged_from_days: float, margins: tuple[float, ...]
) -> dict[str, dict[str, object]]:
    """Every learner on one recording: {"room_hour hindsight": {...}, "room_hour x2": ...}."""
    rows: dict[str, dict[str, object]] = {}
    for context in CONTEXTS:
        rows[f"{context} hindsight"] = judge(replay, cuts, context, None, judged_from_days)
        for m in margins:
            rows[f"{context} x{m:g}"] = judge(replay, cuts, context, m, judged_from_days)
    return rows
