"""Input checks and resampling: every recording and live window becomes 50 Hz samples in g.

The same function serves an uploaded `impact` window, a CSV recording and a SisFall trial, so
the classifier never sees data prepared another way. Bad input raises `InputError` with a
`Problem` that callers count; nothing is silently repaired except what the caller asks for
(`convert_ms2=True`), and then the conversion is reported in `Prepared.notes`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

FS = 50.0  # Hz: the classifier's rate
MIN_FS = 20.0
MAX_FS = 200.0
STANDARD_G = 9.80665
MIN_SECONDS = 4.0  # shorter input cannot hold the pre- and post-impact parts of a window
MAX_SATURATED_FRACTION = 0.02  # more clipped samples than this: the sensor range is wrong
GAP_FACTOR = 3.0  # a step longer than 3 sample periods (and 0.1 s) is a gap

Array = NDArray[np.float64]


class Problem(StrEnum):
    BAD_SHAPE = "bad_shape"  # not n x 3 samples
    NOT_FINITE = "not_finite"  # NaN or infinity in time or acceleration
    BAD_RATE = "bad_rate"  # sampling rate outside 20-200 Hz
    BAD_TIME = "bad_time"  # timestamps not strictly increasing
    GAP = "gap"  # samples missing inside the recording
    TOO_SHORT = "too_short"  # fewer seconds than a window needs
    WRONG_UNITS = "wrong_units"  # gravity is not ~1: m/s^2 (or counts) instead of g
    SATURATED = "saturated"  # too many samples clipped at the sensor's range


class InputError(ValueError):
    def __init__(self, problem: Problem, detail: str) -> None:
        super().__init__(f"{problem.value}: {detail}")
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Prepared:
    accel: Array  # (n, 3) in g at FS
    source_fs: float
    notes: tuple[str, ...] = field(default=())  # e.g. "converted_ms2", "clipped:3"


def prepare(
    accel: object,
    *,
    fs: float | None = None,
    t: object = None,
    convert_ms2: bool = False,
    min_seconds: float = MIN_SECONDS,
) -> Prepared:
    """Check raw samples ([x, y, z] rows) and return them in g at 50 Hz.

    Give either `fs` (uniform sampling) or `t` (seconds, one per sample).
    """
    a = _as_samples(accel)
    times = _times(a.shape[0], fs, t)
    dt = np.diff(times)
    if np.any(dt <= 0):
        raise InputError(Problem.BAD_TIME, "timestamps must strictly increase")
    period = float(np.median(dt))
    rate = 1.0 / period
    if not (MIN_FS * 0.98 <= rate <= MAX_FS * 1.02):
        raise InputError(Problem.BAD_RATE, f"{rate:.1f} Hz is outside {MIN_FS:g}-{MAX_FS:g} Hz")
    worst = float(dt.max())
    if worst > max(GAP_FACTOR * period, 0.1):
        at = float(times[int(np.argmax(dt))] - times[0])
        raise InputError(Problem.GAP, f"{worst:.3f} s without samples at t={at:.2f} s")
    duration = float(times[-1] - times[0]) + period
    if duration < min_seconds:
        raise InputError(Problem.TOO_SHORT, f"{duration:.2f} s < {min_seconds:g} s")
    notes: list[str] = []
    a = _in_g(a, convert_ms2, notes)
    clipped = _clipped_samples(a)
    if clipped > MAX_SATURATED_FRACTION * a.shape[0]:
        raise InputError(Problem.SATURATED, f"{clipped} of {a.shape[0]} samples clipped")
    if clipped:
        notes.append(f"clipped:{clipped}")
    return Prepared(resample(times - times[0], a, rate), rate, tuple(notes))


def _as_samples(accel: object) -> Array:
    try:
        a = np.asarray(accel, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(Problem.BAD_SHAPE, f"not numeric samples: {exc}") from None
    if a.ndim != 2 or a.shape[1] != 3 or a.shape[0] < 2:
        raise InputError(Problem.BAD_SHAPE, f"expected n x 3 samples, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        bad = int(np.count_nonzero(~np.isfinite(a).all(axis=1)))
        raise InputError(Problem.NOT_FINITE, f"{bad} samples hold NaN or infinity")
    return a


def _times(n: int, fs: float | None, t: object) -> Array:
    if t is None:
        if fs is None or not np.isfinite(fs) or fs <= 0:
            raise InputError(Problem.BAD_RATE, f"sampling rate {fs!r} is not a positive number")
        return np.arange(n, dtype=np.float64) / float(fs)
    times = np.asarray(t, dtype=np.float64)
    if times.shape != (n,):
        raise InputError(Problem.BAD_SHAPE, f"{times.shape[0]} timestamps for {n} samples")
    if not np.all(np.isfinite(times)):
        raise InputError(Problem.NOT_FINITE, "timestamps hold NaN or infinity")
    return times


def _in_g(a: Array, convert_ms2: bool, notes: list[str]) -> Array:
    """Gravity tells the unit: the median magnitude is ~1 in g and ~9.8 in m/s^2."""
    gravity = float(np.median(np.sqrt(np.einsum("ij,ij->i", a, a))))
    if 0.5 <= gravity <= 1.6:
        return a
    if 6.0 <= gravity <= 14.0:
        if not convert_ms2:
            raise InputError(
                Problem.WRONG_UNITS,
                f"median |a| = {gravity:.2f}: looks like m/s^2, expected g (convert explicitly)",
            )
        notes.append("converted_ms2")
        return a / STANDARD_G
    raise InputError(Problem.WRONG_UNITS, f"median |a| = {gravity:.3g}, expected about 1 g")


def _clipped_samples(a: Array) -> int:
    """Samples stuck at an axis' extreme (|v| >= 2 g) in runs of two or more: a clipped peak."""
    total = 0
    for axis in range(3):
        v = np.abs(a[:, axis])
        top = float(v.max())
        if top < 2.0:
            continue
        at = v >= top * (1 - 1e-6)
        if np.count_nonzero(at) < 2:
            continue
        runs = at[1:] & at[:-1]
        in_run = np.zeros_like(at)
        in_run[:-1] |= runs
        in_run[1:] |= runs
        total += int(np.count_nonzero(in_run))
    return total


def _lowpass_taps(fs: float, cutoff: float) -> Array:
    n = int(np.ceil(4 * fs / cutoff)) | 1
    k = np.arange(n) - (n - 1) / 2
    taps: Array = np.sinc(2 * cutoff / fs * k) * np.hamming(n)
    out: Array = taps / taps.sum()
    return out


def resample(times: Array, a: Array, rate: float) -> Array:
    """Anti-alias (when faster than 50 Hz) and interpolate linearly onto a 50 Hz grid.

    Linear in the samples, so it commutes with any rotation of the sensor.
    """
    if abs(rate - FS) < 1e-6 and abs(float(times[-1]) - (a.shape[0] - 1) / FS) < 1e-6:
        return np.ascontiguousarray(a)
    if rate > FS * 1.05:
        taps = _lowpass_taps(rate, 0.4 * FS)
        half = taps.shape[0] // 2
        padded = np.pad(a, ((half, half), (0, 0)), mode="edge")
        a = np.stack([np.convolve(padded[:, i], taps, mode="valid") for i in range(3)], axis=1)
    grid = np.arange(0.0, float(times[-1]) + 1e-9, 1.0 / FS)
    return np.stack([np.interp(grid, times, a[:, i]) for i in range(3)], axis=1)
