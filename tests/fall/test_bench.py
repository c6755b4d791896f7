"""`anju bench fall` measures the model path and the threshold baseline in the same run."""

from __future__ import annotations

import numpy as np

from benchmarks.fall_classify import run, synthetic_window
from detectors.fall.model import load
from detectors.fall.pipeline import analyse
from detectors.fall.trigger import TriggerConfig


def test_bench_reports_medians_for_both_methods() -> None:
    doc = run(n=40, seed=1)
    med = doc["median_us"]
    assert med["model_path"] > med["trees_only"] > 0
    assert med["threshold_baseline_path"] > 0
    assert doc["ratio_model_to_baseline"] == round(
        med["model_path"] / med["threshold_baseline_path"], 2
    )


def test_synthetic_bench_windows_are_classified_as_intended() -> None:
    rng = np.random.default_rng(2)
    model = load()
    falls = [
        analyse(synthetic_window(rng, True, TriggerConfig()), model, fs=50.0) for _ in range(20)
    ]
    assert all(r.problem is None and r.windows for r in falls)
