"""The one path every recording and every live window takes: checks -> 50 Hz -> trigger ->
window -> features -> classifier. Training, evaluation, the benchmark and the live detector
all call `extract` / `analyse`, so none of them can prepare data differently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from detectors.fall.features import N_FEATURES, features
from detectors.fall.model import TreeModel
from detectors.fall.signal import FS, InputError, Prepared, Problem, prepare
from detectors.fall.trigger import Trigger, TriggerConfig, Window

Array = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Extracted:
    prepared: Prepared
    windows: list[Window]
    x: Array  # (len(windows), N_FEATURES)
    skipped: int  # triggers too near an edge of the recording to fill a window


def extract(
    accel: object,
    *,
    fs: float | None = None,
    t: object = None,
    config: TriggerConfig | None = None,
    convert_ms2: bool = False,
) -> Extracted:
    """Checks, resampling, trigger and features; raises InputError on bad input."""
    cfg = config or TriggerConfig()
    prepared = prepare(accel, fs=fs, t=t, convert_ms2=convert_ms2)
    trigger = Trigger(cfg)
    found = trigger.feed(prepared.accel) + trigger.flush()
    x = np.empty((len(found), N_FEATURES))
    for i, w in enumerate(found):
        x[i] = features(w.accel, cfg)
    return Extracted(prepared, found, x, trigger.skipped)


@dataclass(frozen=True, slots=True)
class WindowResult:
    t_s: float  # impact time, seconds from the start of the recording
    peak_g: float
    probability: float
    fall: bool
    padded: int


@dataclass(slots=True)
class RecordingResult:
    windows: list[WindowResult] = field(default_factory=list)
    problem: Problem | None = None
    detail: str = ""
    notes: tuple[str, ...] = ()
    source_fs: float | None = None

    @property
    def fall(self) -> bool:
        return any(w.fall for w in self.windows)

    @property
    def probability(self) -> float:
        return max((w.probability for w in self.windows), default=0.0)

    @property
    def peak_g(self) -> float:
        return max((w.peak_g for w in self.windows), default=0.0)


def classify(ex: Extracted, model: TreeModel) -> RecordingResult:
    p = model.probability(ex.x) if ex.windows else np.empty(0)
    return RecordingResult(
        windows=[
            WindowResult(
                w.impact_index / FS, w.peak_g, float(pi), bool(pi >= model.threshold_p), w.padded
            )
            for w, pi in zip(ex.windows, p, strict=True)
        ],
        notes=ex.prepared.notes,
        source_fs=ex.prepared.source_fs,
    )


def analyse(
    accel: object,
    model: TreeModel,
    *,
    fs: float | None = None,
    t: object = None,
    config: TriggerConfig | None = None,
    convert_ms2: bool = False,
) -> RecordingResult:
    """Classify a recording or an uploaded window; bad input gives a result with `problem` set."""
    try:
        ex = extract(accel, fs=fs, t=t, config=config, convert_ms2=convert_ms2)
    except InputError as exc:
        return RecordingResult(problem=exc.problem, detail=exc.detail)
    return classify(ex, model)
