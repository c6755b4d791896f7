"""Small real inputs for the fall tests: windows with a known shape and a one-split model."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from detectors.fall.metrics import random_rotation
from detectors.fall.model import TreeModel
from detectors.fall.signal import FS

Array = NDArray[np.float64]


def stump_model(peak_g: float = 3.0) -> TreeModel:
    """A real TreeModel with one split: peak |a| above `peak_g` is a fall (p ~ 0.99)."""
    return TreeModel(
        feature=np.zeros((1, 3), dtype=np.intp),
        threshold=np.array([[peak_g, np.inf, np.inf]]),
        left=np.array([[1, 1, 2]], dtype=np.intp),
        right=np.array([[2, 1, 2]], dtype=np.intp),
        value=np.array([[0.0, -5.0, 5.0]]),
        base_score=0.0,
        depth=1,
    )


def recording(
    seconds: float,
    *,
    impacts: tuple[tuple[float, float], ...] = (),
    fs: float = FS,
    seed: int = 0,
    rotate: bool = False,
) -> Array:
    """Still sensor (1 g) with noise; each (t_s, peak_g) adds a short impact with a free-fall dip
    before it and a 90-degree change of posture after it."""
    rng = np.random.default_rng(seed)
    n = round(seconds * fs)
    a = np.tile([0.0, 0.0, 1.0], (n, 1)) + rng.normal(0, 0.02, (n, 3))
    for t_s, peak in impacts:
        i = round(t_s * fs)
        w = max(2, round(0.05 * fs))
        a[i - 6 * w : i - w] *= 0.3
        a[i - w : i + w, 2] += peak * np.hanning(2 * w)
        a[i + w :] = np.array([1.0, 0.0, 0.0]) + rng.normal(0, 0.02, (n - i - w, 3))
    if rotate:
        a = a @ random_rotation(rng).T
    return a
