"""The shipped model format: numpy evaluation equals scikit-learn, files are checked on load."""

from __future__ import annotations

import json

import numpy as np
import pytest
from numpy.typing import NDArray
from sklearn.ensemble import GradientBoostingClassifier

from detectors.fall.features import FEATURE_NAMES, N_FEATURES, features
from detectors.fall.metrics import random_rotation
from detectors.fall.model import DEFAULT_MODEL, from_json, load
from detectors.fall.signal import FS
from detectors.fall.training import export
from detectors.fall.trigger import TriggerConfig
from tests.fall.helpers import recording, stump_model


def test_numpy_trees_equal_sklearn_probabilities() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, N_FEATURES))
    y = (x[:, 0] + 0.5 * x[:, 3] * x[:, 5] + rng.normal(0, 0.5, 600) > 0).astype(int)
    clf = GradientBoostingClassifier(n_estimators=40, max_depth=3, random_state=0).fit(x, y)
    model = export(clf, x, 0, [])
    probe = rng.normal(size=(300, N_FEATURES))
    assert np.allclose(model.probability(probe), clf.predict_proba(probe)[:, 1], atol=1e-9)
    again = from_json(model.to_json())
    assert np.array_equal(again.probability(probe), model.probability(probe))


def test_shipped_model_loads_without_pickle_and_is_small() -> None:
    assert DEFAULT_MODEL.stat().st_size < 300_000
    model = load()
    assert model.meta["seed"] == 0
    p = model.probability(np.zeros((2, N_FEATURES)))
    assert p.shape == (2,) and np.all((p >= 0) & (p <= 1))


def test_files_that_do_not_fit_are_refused() -> None:
    doc = json.loads(stump_model().to_json())
    with pytest.raises(ValueError, match="anju-fall-gbt"):
        from_json(json.dumps({**doc, "format": "pickle"}))
    with pytest.raises(ValueError, match="features"):
        from_json(json.dumps({**doc, "features": list(FEATURE_NAMES[:-1])}))
    bad = json.loads(json.dumps(doc))
    bad["trees"]["left"][0][0] = 99
    with pytest.raises(ValueError, match="child"):
        from_json(json.dumps(bad))


def test_features_do_not_depend_on_the_sensor_orientation() -> None:
    a = recording(7, impacts=((3.0, 4.0),), seed=5)
    rng = np.random.default_rng(9)
    base = features(a)
    for _ in range(5):
        turned = features(a @ random_rotation(rng).T)
        assert np.allclose(turned, base, rtol=1e-9, atol=1e-9)


def _turning_window(turn_s: float) -> NDArray[np.float64]:
    """Still sensor whose gravity turns by 90 degrees over `turn_s`, starting at the impact."""
    config = TriggerConfig()
    n, p = config.length, config.pre_n
    steps = max(1, round(turn_s * FS))
    angle = np.clip((np.arange(n) - p) / steps, 0.0, 1.0) * np.pi / 2
    return np.stack([np.sin(angle), np.zeros(n), np.cos(angle)], axis=1)


def test_turn_rate_tells_a_fast_turn_from_a_slow_one() -> None:
    turn = FEATURE_NAMES.index("turn_rate_deg")
    fast = features(_turning_window(0.2))[turn]
    slow = features(_turning_window(3.0))[turn]
    assert fast > 45.0 and slow < 15.0


def test_impact_width_and_later_peaks_are_measured_around_the_impact() -> None:
    config = TriggerConfig()
    p = config.pre_n
    window = np.tile([0.0, 0.0, 1.0], (config.length, 1))
    window[p - 5 : p + 5, 2] += 3.0  # 10 samples (0.2 s) above 1.4 g
    window[p + 100, 2] = 2.5  # a later jolt, 2 s after the impact
    x = features(window)
    assert x[FEATURE_NAMES.index("impact_width_s")] == pytest.approx(10 / FS)
    assert x[FEATURE_NAMES.index("post_max_g")] == pytest.approx(2.5)
