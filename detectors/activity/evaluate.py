"""Figures for a replayed home: false care alarms after learning, and simulated collapses.

A collapse is simulated by cutting every event for 12 h from a moment when the ground truth
(`activities.csv`) says the person is at home and up; the time from the cut to the first care
alarm is what a person on the floor would wait. The detector state at the cut is the one the
live service would have (the replay is checkpointed through the same serialisation that
survives a restart), then time runs on without events.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from detectors.activity.config import ActivityConfig
from detectors.activity.detector import ActivityDetector
from detectors.activity.replay import Recording, messages, run
from domain.alarms import Detection, Severity
from domain.decode import Message
from domain.model import Device

DAY_MS = 86_400_000
CUT_MS = 12 * 3_600_000
AWAY_LABELS = ("leave", "out")
REST_LABELS = ("sleep", "bed")
BATH_LABELS = ("toilet", "shower", "bath")


@dataclass(frozen=True, slots=True)
class Replay:
    recording: Recording
    items: list[tuple[int, Message, Device]]

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


def window(rec: Recording, from_days: float, until_days: float | None) -> tuple[int, int]:
    """[lo, hi) in ms: the days judged, counted from the first event of the recording."""
    hi = rec.end_ms if until_days is None else rec.start_ms + int(until_days * DAY_MS)
    return rec.start_ms + int(from_days * DAY_MS), min(hi, rec.end_ms)


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
    return {
        "evaluated_days": round(days, 2),
        "false_care_alarms": len(after),
        "while_labelled_at_home": len(home),
        "per_30_days": round(len(after) / days * 30, 2),
        "by_type": by_type,
        "before_judged_days": sum(1 for d in found if is_alarm(d) and d.ts_ms < learned_from),
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
    times = np.array([ts for ts, _, _ in replay.items])
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
    replay: Replay, n: int, seed: int, learning_days: float, until_days: float | None = None
) -> list[int]:
    """Moments inside a labelled toilet/shower visit at night (22:00-07:00), after learning."""
    rec, rng = replay.recording, random.Random(seed)
    lo, hi = window(rec, learning_days, until_days)
    visits = [
        (s, e)
        for s, e, a in rec.activities
        if lo <= s < hi
        and any(w in a.lower() for w in BATH_LABELS)
        and not 7 <= (s % DAY_MS) / 3_600_000 < 22
    ]
    if not visits:
        return []
    cuts = [s + rng.randrange(0, max(e - s, 1)) for s, e in visits]
    while len(cuts) < n:  # fewer visits than cuts: more moments inside the same visits
        s, e = visits[rng.randrange(len(visits))]
        cuts.append(s + rng.randrange(0, max(e - s, 1)))
    return sorted(cuts[: max(n, len(visits))])


def collapse(
    replay: Replay, cuts: list[int], cfg: ActivityConfig, tick_s: float
) -> dict[str, object]:
    """Minutes from each cut to the first care alarm (None: none within 12 h)."""
    detector = ActivityDetector(default=cfg, timezone="UTC")
    home = replay.recording.home_id
    snapshots: dict[int, bytes] = {}
    pending = list(cuts)
    items = replay.items

    def checkpoint(clock: int) -> None:
        while pending and pending[0] <= clock:
            snapshots[pending.pop(0)] = detector.snapshot(home)

    run(detector, items, tick_s=tick_s, on_tick=checkpoint)
    step = int(tick_s * 1000)
    minutes: list[float | None] = []
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
    return summarise(minutes)


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
