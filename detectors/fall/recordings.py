"""Evaluate the detector on any recording set: DIR/labels.csv + one CSV per recording.

`labels.csv` has columns `file,label` (label `fall` or `adl`; extra columns are ignored). Each
recording is a CSV with header `t,ax,ay,az`: t in seconds from the start, acceleration in g,
any rate from 20 to 200 Hz, any orientation. Every recording is streamed through
`pipeline.analyse`, the path live windows take. Unreadable or bad recordings are counted by
reason in `rejected` and listed, never dropped silently.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from detectors.fall.metrics import Outcome, report
from detectors.fall.model import TreeModel
from detectors.fall.pipeline import RecordingResult, analyse

COLUMNS = ("t", "ax", "ay", "az")
LABELS = ("fall", "adl")


class RecordingError(ValueError):
    def __init__(self, problem: str, detail: str) -> None:
        super().__init__(f"{problem}: {detail}")
        self.problem = problem
        self.detail = detail


def read_labels(folder: Path) -> list[tuple[str, str]]:
    path = folder / "labels.csv"
    if not path.is_file():
        raise RecordingError("missing_labels", f"{path} not found")
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or not {"file", "label"} <= set(reader.fieldnames):
            raise RecordingError("bad_labels", f"{path} needs columns file,label")
        return [(row["file"].strip(), row["label"].strip().lower()) for row in reader]


def read_recording(path: Path) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(t, accel) of one CSV; non-numeric cells become NaN and are caught by the checks."""
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = [h.strip().lower() for h in next(reader, [])]
        if any(c not in header for c in COLUMNS):
            raise RecordingError(
                "bad_header", f"expected columns {','.join(COLUMNS)}, got {header}"
            )
        idx = [header.index(c) for c in COLUMNS]
        rows = [[_number(row, i) for i in idx] for row in reader if row]
    if not rows:
        raise RecordingError("empty", "no samples")
    data = np.array(rows, dtype=np.float64)
    return data[:, 0], data[:, 1:4]


def _number(row: list[str], i: int) -> float:
    try:
        return float(row[i])
    except (IndexError, ValueError):
        return float("nan")


def _entry(
    name: str, label: str, res: RecordingResult | None, problem: str | None, detail: str
) -> dict[str, Any]:
    doc: dict[str, Any] = {"file": name, "label": label}
    if res is None or problem is not None:
        doc.update(alarm=False, problem=problem, detail=detail)
        return doc
    doc.update(
        alarm=res.fall,
        probability=round(res.probability, 4),
        peak_g=round(res.peak_g, 3),
        windows=len(res.windows),
        alarm_times_s=[round(w.t_s, 2) for w in res.windows if w.fall],
        source_fs=round(res.source_fs or 0.0, 2),
        notes=list(res.notes),
        problem=None,
    )
    return doc


def evaluate_dir(folder: Path, model: TreeModel, *, convert_ms2: bool = False) -> dict[str, Any]:
    outcomes: list[Outcome] = []
    listing: list[dict[str, Any]] = []
    for name, label in read_labels(folder):
        res: RecordingResult | None = None
        problem: str | None = None
        detail = ""
        seconds = 0.0
        if label not in LABELS:
            problem, detail = "bad_label", f"label {label!r} is not fall or adl"
        else:
            try:
                t, accel = read_recording(folder / name)
                seconds = float(np.nanmax(t) - np.nanmin(t)) if t.size else 0.0
                res = analyse(accel, model, t=t, convert_ms2=convert_ms2)
                if res.problem is not None:
                    problem, detail = res.problem.value, res.detail
            except RecordingError as exc:
                problem, detail = exc.problem, exc.detail
            except (OSError, UnicodeDecodeError) as exc:
                problem, detail = "unreadable", str(exc)
        positive = sum(w.fall for w in res.windows) if res is not None and problem is None else 0
        windows = len(res.windows) if res is not None and problem is None else 0
        fall = label == "fall"
        outcomes.append(
            Outcome(name, name, label, fall, False, seconds, positive, windows, problem)
        )
        listing.append(_entry(name, label, res, problem, detail))
    doc = report(outcomes, per_type=False)
    for key in ("se_adls", "se_specificity", "se_adl_hours", "se_false_alarms_per_hour"):
        doc.pop(key)
    doc["model_version"] = model.version
    doc["per_recording"] = listing
    return doc
