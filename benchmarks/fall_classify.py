"""Time the classification of one uploaded window, against a threshold baseline in the same run.

Each timed call takes the live path of an `impact` upload: checks and 50 Hz preparation,
trigger, window, features, trees (`pipeline.analyse`). The baseline is the classic method on the
same windows and the same preparation: checks, trigger, peak |a| >= threshold. Windows are
synthetic falls and non-falls (gravity in a random direction, noise, an impact, a new posture)
so the benchmark runs anywhere; medians over many calls are reported, and the ratio.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from detectors.fall.features import features
from detectors.fall.metrics import random_rotation
from detectors.fall.model import load
from detectors.fall.pipeline import analyse
from detectors.fall.signal import FS, prepare
from detectors.fall.trigger import TriggerConfig, windows_of

Array = NDArray[np.float64]
THRESHOLD_G = 2.7  # the baseline's threshold (median of what SisFall CV picks)


def synthetic_window(rng: np.random.Generator, fall: bool, config: TriggerConfig) -> Array:
    n = config.length
    accel = np.tile([0.0, 0.0, 1.0], (n, 1)) + rng.normal(0, 0.05, (n, 3))
    p = config.pre_n
    peak = rng.uniform(2.5, 6.0) if fall else rng.uniform(1.5, 2.5)
    accel[p - 5 : p + 5, 2] += peak * np.hanning(10)
    if fall:
        accel[p - 20 : p - 5] *= 0.3  # free fall
        accel[p + 5 :] = np.array([1.0, 0.0, 0.0]) + rng.normal(0, 0.02, (n - p - 5, 3))
    out: Array = accel @ random_rotation(rng).T
    return out


def _median_us(fn: Callable[[Array], object], windows: list[Array]) -> float:
    times: list[float] = []
    for w in windows:
        start = time.perf_counter_ns()
        fn(w)
        times.append((time.perf_counter_ns() - start) / 1000)
    return statistics.median(times)


def run(n: int = 2000, seed: int = 0) -> dict[str, Any]:
    config = TriggerConfig()
    model = load()
    rng = np.random.default_rng(seed)
    windows = [synthetic_window(rng, i % 2 == 0, config) for i in range(n)]

    def baseline(w: Array) -> bool:
        found = windows_of(prepare(w, fs=FS).accel, config)
        return any(x.peak_g >= THRESHOLD_G for x in found)

    def full(w: Array) -> bool:
        return analyse(w, model, fs=FS).fall

    def feats(w: Array) -> Array:
        return features(w, config)

    x = np.stack([features(w, config) for w in windows])

    def trees(w: Array) -> object:
        return model.probability(x[0])

    for fn in (baseline, full, feats, trees):  # warm up caches and allocators
        _median_us(fn, windows[:50])
    rounds: dict[str, list[float]] = {"baseline": [], "model": [], "features": [], "trees": []}
    for _ in range(3):  # interleaved rounds: both methods see the same machine load
        rounds["baseline"].append(_median_us(baseline, windows))
        rounds["model"].append(_median_us(full, windows))
        rounds["features"].append(_median_us(feats, windows))
        rounds["trees"].append(_median_us(trees, windows))
    med = {k: round(statistics.median(v), 1) for k, v in rounds.items()}
    return {
        "benchmark": "fall_classify",
        "windows": n,
        "window_s": config.pre_s + config.post_s,
        "model_version": model.version,
        "trees": int(model.feature.shape[0]),
        "median_us": {
            "threshold_baseline_path": med["baseline"],
            "model_path": med["model"],
            "features_only": med["features"],
            "trees_only": med["trees"],
        },
        "ratio_model_to_baseline": round(med["model"] / med["baseline"], 2),
        "goal_us": 1000,
        "meets_goal": med["model"] <= 1000,
        "windows_per_core_second": round(1e6 / med["model"]),
    }
