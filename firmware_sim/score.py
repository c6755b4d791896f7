"""Compare the alarms Anju raised with a run's ground truth (pure; the CLI fetches the alarms).

- recall per incident type: the share of incidents followed, inside `within_s`, by an alarm of
  an expected type at the same home (an already open alarm of that type that was updated in
  the window counts too: one active alarm per home and type);
- time to alarm: alarm raised (or updated) minus the true incident time, in seconds;
- false alarms: care alarms at the simulated homes during the run that no incident explains
  (an incident explains alarms of its expected and allowed types for twice its window),
  per home-day, counted by episode (the same home and type raised again within 6 h of its last
  raise is one episode; `false_alarm_raises` counts every raise); technical alarms (devices) are
  counted apart, and pre-warnings to the resident and "restored" notices are not alarms.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from firmware_sim.truth import Truth, TruthItem

NOTICES = frozenset({"prewarning", "prewarning_cancelled", "wellness"})  # to the resident, not out
GRACE_MS = 60_000
EPISODE_MS = (
    6 * 3_600_000
)  # device clocks drift; an alarm a minute "before" the incident still counts


@dataclass(frozen=True, slots=True)
class AlarmView:
    alarm_id: str
    home_id: str
    type: str
    raised_ms: int
    updated_ms: int
    technical: bool


def _match(item: TruthItem, alarms: list[AlarmView], late_factor: float = 1.0) -> AlarmView | None:
    lo = item.t_ms - GRACE_MS
    hi = item.t_ms + int(item.within_s * 1000 * late_factor)
    best: tuple[int, AlarmView] | None = None
    for a in alarms:
        if a.home_id != item.home_id or a.type not in item.expect:
            continue
        if lo <= a.raised_ms <= hi:
            when = a.raised_ms
        elif a.raised_ms < lo <= a.updated_ms <= hi:
            when = a.updated_ms
        else:
            continue
        if best is None or when < best[0]:
            best = (when, a)
    return None if best is None else best[1]


def _explains(item: TruthItem, a: AlarmView) -> bool:
    if a.home_id != item.home_id or a.type not in (*item.expect, *item.allow):
        return False
    return item.t_ms - GRACE_MS <= a.raised_ms <= item.t_ms + int(2 * item.within_s * 1000)


def _summary(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"median": None, "p90": None, "max": None}
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return {
        "median": round(statistics.median(ordered), 1),
        "p90": round(p90, 1),
        "max": round(ordered[-1], 1),
    }


def _episodes(alarms: list[AlarmView]) -> list[AlarmView]:
    """One per episode: a (home, type) raised again within EPISODE_MS of its previous raise
    (re-raised after an operator closed it, the condition still there) is the same episode."""
    out: list[AlarmView] = []
    last: dict[tuple[str, str], int] = {}
    for a in sorted(alarms, key=lambda a: a.raised_ms):
        key = (a.home_id, a.type)
        if key not in last or a.raised_ms - last[key] > EPISODE_MS:
            out.append(a)
        last[key] = a.raised_ms
    return out


def score(truth: Truth, alarms: list[AlarmView]) -> dict[str, Any]:
    homes = set(truth.homes)
    mine = [
        a
        for a in alarms
        if a.home_id in homes
        and truth.start_ms - GRACE_MS <= a.raised_ms <= truth.end_ms + 3_600_000
    ]
    per_type: dict[str, dict[str, Any]] = {}
    matched: set[str] = set()
    expected = [i for i in truth.items if not i.misbehaviour]
    for item in expected:
        row = per_type.setdefault(
            item.kind, {"n": 0, "expected": 0, "detected": 0, "late": 0, "tta": [], "missed": []}
        )
        row["n"] += 1
        if not item.expect:
            continue
        row["expected"] += 1
        hit = _match(item, mine)
        if hit is not None:
            matched.add(hit.alarm_id)
            row["detected"] += 1
            when = hit.raised_ms if hit.raised_ms >= item.t_ms - GRACE_MS else hit.updated_ms
            row["tta"].append((when - item.t_ms) / 1000.0)
        elif _match(item, mine, late_factor=4.0) is not None:
            row["late"] += 1
            row["missed"].append(item.id)
        else:
            row["missed"].append(item.id)
    unexplained = [
        a for a in mine if a.alarm_id not in matched and not any(_explains(i, a) for i in expected)
    ]
    notices = [a for a in unexplained if a.type in NOTICES or a.type.endswith("_restored")]
    unexplained = [a for a in unexplained if a not in notices]
    care = _episodes([a for a in unexplained if not a.technical])
    technical = _episodes([a for a in unexplained if a.technical])
    raises = sum(1 for a in unexplained if not a.technical)
    n_expected = sum(r["expected"] for r in per_type.values())
    n_detected = sum(r["detected"] for r in per_type.values())
    home_days = max(truth.home_days, 1e-9)
    by_type: dict[str, int] = {}
    for a in care:
        by_type[a.type] = by_type.get(a.type, 0) + 1
    return {
        "scenario": truth.scenario,
        "homes": len(truth.homes),
        "home_days": round(truth.home_days, 2),
        "alarms_seen": len(mine),
        "incidents_expecting_alarm": n_expected,
        "recall": round(n_detected / n_expected, 4) if n_expected else None,
        "false_alarms": len(care),
        "false_alarm_raises": raises,
        "false_alarms_per_home_day": round(len(care) / home_days, 4),
        "false_alarms_by_type": by_type,
        "technical_unexplained": len(technical),
        "notices_and_restores": len(notices),
        "per_type": {
            kind: {
                "n": r["n"],
                "expected": r["expected"],
                "detected": r["detected"],
                "late": r["late"],
                "recall": round(r["detected"] / r["expected"], 4) if r["expected"] else None,
                "time_to_alarm_s": _summary(r["tta"]),
                "missed": r["missed"][:20],
            }
            for kind, r in sorted(per_type.items())
        },
    }


def render(report: dict[str, Any]) -> str:
    lines = [
        f"scenario {report['scenario']}: {report['homes']} homes, {report['home_days']} home-days, "
        f"{report['alarms_seen']} alarms",
        f"recall {report['recall']}  false alarms {report['false_alarms']} "
        f"({report['false_alarms_per_home_day']} per home-day)  "
        f"technical unexplained {report['technical_unexplained']}",
        f"{'incident':18s} {'n':>4s} {'exp':>4s} {'det':>4s} {'recall':>7s} "
        f"{'tta med':>8s} {'p90':>8s} {'max':>8s}",
    ]
    for kind, r in report["per_type"].items():
        t = r["time_to_alarm_s"]
        recall = "-" if r["recall"] is None else f"{r['recall']:.2f}"
        cells = ["-" if t[k] is None else f"{t[k]:.0f}s" for k in ("median", "p90", "max")]
        lines.append(
            f"{kind:18s} {r['n']:4d} {r['expected']:4d} {r['detected']:4d} {recall:>7s} "
            f"{cells[0]:>8s} {cells[1]:>8s} {cells[2]:>8s}"
        )
    return "\n".join(lines)
