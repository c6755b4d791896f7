"""Trial-level figures: sensitivity, specificity (all and elderly), per type, false alarms/hour.

A trial counts as an alarm when any of its windows was classified a fall, as a live pendant
would have raised one. False alarms per hour are the positive windows of all activity trials
over their total recorded hours (each window would have been an alarm at home).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True, slots=True)
class Outcome:
    key: str
    subject: str
    code: str  # F01.. / D01.. (or "fall" / "adl" for generic recordings)
    fall: bool
    elderly: bool
    seconds: float
    positive_windows: int
    windows: int
    problem: str | None = None  # input check that rejected the recording

    @property
    def alarm(self) -> bool:
        return self.positive_windows > 0


def _rate(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def _by_code(outcomes: Sequence[Outcome], fall: bool) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for code in sorted({o.code for o in outcomes if o.fall is fall}):
        group = [o for o in outcomes if o.code == code and o.problem is None]
        alarms = sum(o.alarm for o in group)
        if fall:
            out[code] = {
                "trials": len(group),
                "detected": alarms,
                "sensitivity": _rate(alarms, len(group)),
            }
        else:
            out[code] = {
                "trials": len(group),
                "false_alarm_trials": alarms,
                "specificity": _rate(len(group) - alarms, len(group)),
                "false_alarm_windows": sum(o.positive_windows for o in group),
            }
    return out


def report(outcomes: Sequence[Outcome], *, per_type: bool = True) -> dict[str, Any]:
    ok = [o for o in outcomes if o.problem is None]
    falls = [o for o in ok if o.fall]
    adls = [o for o in ok if not o.fall]
    se_adls = [o for o in adls if o.elderly]
    detected = sum(o.alarm for o in falls)
    quiet = sum(not o.alarm for o in adls)
    adl_hours = sum(o.seconds for o in adls) / 3600
    se_hours = sum(o.seconds for o in se_adls) / 3600
    fa_windows = sum(o.positive_windows for o in adls)
    se_fa_windows = sum(o.positive_windows for o in se_adls)
    problems: dict[str, int] = {}
    for o in outcomes:
        if o.problem is not None:
            problems[o.problem] = problems.get(o.problem, 0) + 1
    doc: dict[str, Any] = {
        "recordings": len(outcomes),
        "falls": len(falls),
        "adls": len(adls),
        "rejected": problems,
        "sensitivity": _rate(detected, len(falls)),
        "specificity": _rate(quiet, len(adls)),
        "missed_falls": len(falls) - detected,
        "false_alarm_trials": len(adls) - quiet,
        "se_adls": len(se_adls),
        "se_specificity": _rate(sum(not o.alarm for o in se_adls), len(se_adls)),
        "adl_hours": round(adl_hours, 3),
        "false_alarm_windows": fa_windows,
        "false_alarms_per_hour": round(fa_windows / adl_hours, 4) if adl_hours else None,
        "se_adl_hours": round(se_hours, 3),
        "se_false_alarms_per_hour": round(se_fa_windows / se_hours, 4) if se_hours else None,
        "windows": sum(o.windows for o in ok),
    }
    if per_type:
        doc["per_fall_type"] = _by_code(outcomes, True)
        doc["per_activity"] = _by_code(outcomes, False)
    return doc


def random_rotation(rng: np.random.Generator) -> NDArray[np.float64]:
    """A rotation matrix drawn uniformly (QR of a Gaussian matrix, signs fixed, det +1)."""
    q, r = np.linalg.qr(rng.normal(size=(3, 3)))
    q = q * np.sign(np.diag(r))
    if np.linalg.det(q) < 0:
        q[:, 0] = -q[:, 0]
    return np.asarray(q, dtype=np.float64)
