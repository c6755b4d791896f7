"""Figures for a replayed home: false care alarms after learning, and simulated collapses.

A collapse is simulated by cutting every event for 12 h from a moment when the ground truth
(`activities.csv`) says the person is at home and up; the time from the cut to the first care
alarm is what a person on the floor would wait. The detector state at the cut is the one the
live service would have (the replay is checkpointed through the same serialisation that
survives a restart), then time runs on without events.

Only the annotated span of a recording is judged (from the first label to the last): outside it
nobody knows whether she was home, out or away for days (house B's last ten days carry no
label at all). A night bathroom cut must also find her in the bathroom by the sensors, not only
by the label: the labels were typed by the resident and are often a minute off the sensors
(house C's night toilet labels are 40-60 s long and many end before the bathroom's first event,
while the bed mat already has her back in bed). Those label-only cuts are reported apart.

For every cut the figures carry a bound: the minutes until the recording's next real event.
No detector can alarm sooner without also alarming in that real silence, i.e. without a false
alarm, because up to that event it has seen exactly what the live recording showed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

import numpy as np
import numpy.typing as npt

from detectors.activity.config import ActivityConfig
from detectors.activity.detector import ActivityDetector
from detectors.activity.replay import Recording, messages, run
from domain.alarms import Detection, Severity
from domain.decode import Message
from domain.model import Device, Room

DAY_MS = 86_400_000
CUT_MS = 12 * 3_600_000
AWAY_LABELS = ("leave", "out")
REST_LABELS = ("sleep", "bed")
BATH_LABELS = ("toilet", "shower", "bath")


@dataclass(frozen=True)
class Replay:
    recording: Recording
    items: list[tuple[int, Message, Device]]

    @cached_property
    def times(self) -> npt.NDArray[np.int64]:
        """The items' timestamps, in order (for searchsorted)."""
        return np.array([ts for ts, _, _ in self.items], dtype=np.int64)

    @classmethod
    def of(cls, recording: Recording) -> Replay:
        return cls(recording, list(messages(recording)))


def is_alarm(d: Detection) -> bool:
    return d.severity in (Severity.MAJOR, Severity.CRITICAL)


def alert_rows(found: list[Detection]) -> list[dict[str, str]]:
    return [
        {
            "time": datetime.fromtimestamp(d.ts_ms / 1000, UTC).replace(tzinfo=None).isoformat(),
            "type": d.type,
            "category": d.category.value,
            "severity": d.severity.value,
        }
        for d in found
    ]


def full_run(replay: Replay, cfg: ActivityConfig, tick_s: float) -> list[Detection]:
    detector = ActivityDetector(default=cfg, timezone="UTC")
    return run(detector, replay.items, tick_s=tick_s)


def annotated(rec: Recording) -> tuple[int, int]:
    """[first label start, last label end): where the ground truth says anything at all."""
    if not rec.activities:
        return rec.start_ms, rec.end_ms
    return min(s for s, _, _ in rec.activities), max(e for _, e, _ in rec.activities)


def window(rec: Recording, from_days: float, until_days: float | None) -> tuple[int, int]:
    """[lo, hi) in ms: the days judged, counted from the first event of the recording, and
    only inside the annotated span."""
    first, last = annotated(rec)
    hi = rec.end_ms if until_days is None else rec.start_ms + int(until_days * DAY_MS)
    lo = max(rec.start_ms + int(from_days * DAY_MS), first)
    return lo, max(lo, min(hi, rec.end_ms, last))


def false_alarms(
    found: list[Detection], replay: Replay, learning_days: float, until_days: float | None = None
) -> dict[str, object]:
    """Care alarms in the judged days; the detector learnt only from the days before each."""
    rec = replay.recording
    learned_from, until = window(rec, learning_days, until_days)
    days = max((until - learned_from) / DAY_MS, 1e-9)
    after = [d for d in found if is_alarm(d) and learned_from <= d.ts_ms < until]
    by_type: dict[str, int] = {}
    for d in after:
        by_type[d.type] = by_type.get(d.type, 0) + 1
    home = [d for d in after if not _label_at(rec, d.ts_ms, AWAY_LABELS)]
    learnt = rec.start_ms + int(learning_days * DAY_MS)  # after learning, but without labels
    outside = [d for d in found if is_alarm(d) and d.ts_ms >= learnt and d.ts_ms >= until]
    return {
        "evaluated_days": round(days, 2),
        "false_care_alarms": len(after),
        "while_labelled_at_home": len(home),
        "per_30_days": round(len(after) / days * 30, 2),
        "by_type": by_type,
        "before_judged_days": sum(1 for d in found if is_alarm(d) and d.ts_ms < learned_from),
        "after_learning_outside_labels": len(outside),
        "wellness_notices": sum(1 for d in found if d.type == "wellness"),
        "prewarnings": sum(1 for d in found if d.type == "prewarning"),
    }


def _label_at(rec: Recording, ts: int, words: tuple[str, ...]) -> bool:
    return any(s <= ts < e and any(w in a.lower() for w in words) for s, e, a in rec.activities)


def day_cuts(
    replay: Replay, n: int, seed: int, learning_days: float, until_days: float | None = None
) -> list[int]:
    """Random daytime (08:00-20:00 local) moments after learning, person at home and up.

    At home and up: no "leave"/"sleep" label covers the moment, and the recording shows a sign
    of life in the hour before it (the labels have holes where the sensors were down).
    """
    rec, rng = replay.recording, random.Random(seed)
    lo, hi = window(rec, learning_days, until_days)
    hi = min(hi, rec.end_ms - 3_600_000)
    times = replay.times
    cuts: list[int] = []
    for _ in range(200 * n):
        if len(cuts) == n or hi <= lo:
            break
        ts = rng.randrange(lo, hi)
        hour = (ts % DAY_MS) / 3_600_000  # replay time is local wall time
        if not 8 <= hour < 20:
            continue
        if _label_at(rec, ts, AWAY_LABELS) or _label_at(rec, ts, REST_LABELS):
            continue
        before = int(np.searchsorted(times, ts)) - 1  # the recording shows life in the last hour
        if before < 0 or ts - int(times[before]) > 3_600_000:
            continue
        cuts.append(ts)
    return sorted(cuts)


def night_bathroom_cuts(
    replay: Replay,
    n: int,
    seed: int,
    learning_days: float,
    until_days: float | None = None,
    *,
    sensed: bool = True,
) -> list[int]:
    """Moments inside a labelled toilet/shower visit at night (22:00-07:00), after learning.

    `sensed`: only moments where the last event before the cut is a bathroom sensor's, inside
    the visit (she is in the bathroom by the sensors too); visits without one give no cut.
    """
    rec, rng = replay.recording, random.Random(seed)
    lo, hi = window(rec, learning_days, until_days)
    times = replay.times
    visits: list[tuple[int, int]] = []
    for start, e, a in rec.activities:
        if not (lo <= start < hi and any(w in a.lower() for w in BATH_LABELS)):
            continue
        if 7 <= (start % DAY_MS) / 3_600_000 < 22:
            continue
        s = start
        if sensed:  # from her first bathroom event in the visit (a label is often a minute off)
            inside = _bathroom_events(replay, times, start - 120_000, e)
            if not inside:
                continue
            s = max(start, inside[0])
        if e > s:
            visits.append((s, e))
    if not visits:
        return []

    def ok(cut: int) -> bool:
        before = int(np.searchsorted(times, cut)) - 1
        return not sensed or (before >= 0 and _in_bathroom(replay.items[before]))

    cuts = [c for c in (s + rng.randrange(0, e - s) for s, e in visits) if ok(c)]
    for _ in range(200 * n):  # fewer visits than cuts: more moments inside the same visits
        if len(cuts) >= n:
            break
        s, e = visits[rng.randrange(len(visits))]
        cut = s + rng.randrange(0, e - s)
        if ok(cut):
            cuts.append(cut)
    return sorted(cuts[: max(n, len(visits))])


def _in_bathroom(item: tuple[int, Message, Device]) -> bool:
    return item[2].room is Room.BATHROOM


def _bathroom_events(replay: Replay, times: npt.NDArray[np.int64], lo: int, hi: int) -> list[int]:
    first, last = int(np.searchsorted(times, lo)), int(np.searchsorted(times, hi))
    return [replay.items[i][0] for i in range(first, last) if _in_bathroom(replay.items[i])]


def collapse(
    replay: Replay, cuts: list[int], cfg: ActivityConfig, tick_s: float
) -> dict[str, object]:
    """Minutes from each cut to the first care alarm (None: none within 12 h)."""
    detector = ActivityDetector(default=cfg, timezone="UTC")
    home = replay.recording.home_id
    snapshots: dict[int, bytes] = {}
    pending = list(cuts)
    items = replay.items

    def checkpoint(clock: int) -> None:  # before the first tick or event after the cut
        while pending and pending[0] < clock:
            snapshots[pending.pop(0)] = detector.snapshot(home)

    run(detector, items, tick_s=tick_s, on_tick=checkpoint, on_message=checkpoint)
    step = int(tick_s * 1000)
    minutes: list[float | None] = []
    bound: list[float] = []
    for cut in cuts:
        raw = snapshots.get(cut)
        if raw is None:
            continue
        probe = ActivityDetector(default=cfg, timezone="UTC")
        probe.restore(home, raw)
        start = cut - cut % step
        waited: float | None = None
        for clock in range(start + step, cut + CUT_MS + 1, step):
            if any(is_alarm(d) for d in probe.tick(clock)):
                waited = (clock - cut) / 60_000
                break
        minutes.append(waited)
        bound.append(next_event_min(replay.times, cut))
    return {**summarise(minutes), **_bound(bound)}


def next_event_min(times: npt.NDArray[np.int64], cut: int) -> float:
    """Minutes from the cut to the recording's next real event (at most 12 h): the soonest any
    detector could alarm without also alarming, falsely, in the real recording's silence."""
    after = int(np.searchsorted(times, cut, side="right"))
    return min((int(times[after]) - cut) / 60_000, CUT_MS / 60_000) if after < len(times) else 720.0


def _bound(values: list[float]) -> dict[str, object]:
    if not values:
        return {}
    return {
        "bound_median_min": round(float(np.median(values)), 1),
        "bound_p90_min": round(float(np.quantile(values, 0.9)), 1),
    }


def summarise(minutes: list[float | None]) -> dict[str, object]:
    if not minutes:
        return {"cuts": 0}
    values = np.array([12 * 60.0 if m is None else m for m in minutes])
    return {
        "cuts": len(minutes),
        "median_min": round(float(np.median(values)), 1),
        "p90_min": round(float(np.quantile(values, 0.9)), 1),
        "no_alarm_within_12h": sum(1 for m in minutes if m is None),
    }
