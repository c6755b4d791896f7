"""Offline training and subject-wise evaluation on SisFall (the only module using scikit-learn).

Each trial runs through `pipeline.extract` exactly as a live window would. Training labels:
in a fall trial the window with the highest peak is the fall (its other windows are left
out: they may be the steps before it); every window of an activity trial is "not a fall".
Evaluation holds out whole subjects (GroupKFold); the threshold baseline's threshold and the
model are fitted on the training folds only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from detectors.fall.metrics import Outcome, random_rotation, report
from detectors.fall.model import TreeModel
from detectors.fall.pipeline import extract
from detectors.fall.post_fall import FallSettings, alarms_in_recording
from detectors.fall.signal import FS as WINDOW_FS
from detectors.fall.signal import InputError
from detectors.fall.sisfall import FS, Trial
from detectors.fall.trigger import TriggerConfig

Array = NDArray[np.float64]

INNER_FOLDS = 3
GBT_PARAMS: dict[str, Any] = {
    "n_estimators": 200,
    "max_depth": 3,
    "learning_rate": 0.1,
    "subsample": 0.8,
    "min_samples_leaf": 5,
}


@dataclass(frozen=True, slots=True)
class TrialData:
    key: str
    subject: str
    code: str
    fall: bool
    elderly: bool
    seconds: float
    x: Array  # (windows, features)
    peaks: Array  # (windows,)
    problem: str | None = None
    impact_s: tuple[float, ...] = ()  # impact time of each window, seconds from the start


def featurize(
    trials: Iterable[Trial],
    config: TriggerConfig | None = None,
    rotate_seed: int | None = None,
) -> list[TrialData]:
    """Run every trial through the live path; optionally rotate each one at random first."""
    rng = np.random.default_rng(rotate_seed) if rotate_seed is not None else None
    out: list[TrialData] = []
    for tr in trials:
        accel = tr.accel_g if rng is None else tr.accel_g @ random_rotation(rng).T
        base = (tr.key, tr.subject, tr.code, tr.fall, tr.elderly, tr.seconds)
        try:
            ex = extract(accel, fs=FS, config=config)
        except InputError as exc:
            out.append(TrialData(*base, np.empty((0, 0)), np.empty(0), exc.problem.value))
            continue
        peaks = np.array([w.peak_g for w in ex.windows])
        times = tuple(w.impact_index / WINDOW_FS for w in ex.windows)
        out.append(TrialData(*base, ex.x, peaks, None, times))
    return out


def training_set(items: list[TrialData]) -> tuple[Array, NDArray[np.int_], list[str]]:
    xs: list[Array] = []
    ys: list[int] = []
    groups: list[str] = []
    for it in items:
        if it.problem is not None or it.x.shape[0] == 0:
            continue
        if it.fall:
            xs.append(it.x[int(np.argmax(it.peaks))][None, :])
            ys.append(1)
            groups.append(it.subject)
        else:
            xs.append(it.x)
            ys.extend([0] * it.x.shape[0])
            groups.extend([it.subject] * it.x.shape[0])
    return np.concatenate(xs), np.array(ys), groups


def _fit_trees(items: list[TrialData], seed: int, trees: int | None = None) -> TreeModel:
    from sklearn.ensemble import GradientBoostingClassifier

    x, y, _ = training_set(items)
    params = {**GBT_PARAMS, "n_estimators": trees or GBT_PARAMS["n_estimators"]}
    clf = GradientBoostingClassifier(random_state=seed, **params).fit(x, y)
    return export(clf, x, seed, items)


def _trial_scores(model: TreeModel, items: list[TrialData]) -> Array:
    return np.array(
        [float(model.probability(it.x).max()) if it.x.shape[0] else 0.0 for it in items]
    )


def choose_threshold(items: list[TrialData], seed: int, trees: int | None = None) -> float:
    """Decision threshold from out-of-fold scores of these (training) subjects only.

    Inner GroupKFold by subject; the threshold with the best trial-level balanced accuracy
    (sensitivity + specificity), the middle of the best plateau. 0.5 with too few subjects.
    """
    from sklearn.model_selection import GroupKFold

    usable = [it for it in items if it.problem is None]
    subjects = np.array([it.subject for it in usable])
    folds = min(INNER_FOLDS, len(set(subjects.tolist())))
    if folds < 2:
        return 0.5
    oof = np.full(len(usable), np.nan)
    for train_idx, test_idx in GroupKFold(n_splits=folds).split(subjects, groups=subjects):
        train = [usable[i] for i in train_idx]
        if len({it.fall for it in train}) < 2:  # e.g. only elderly subjects without falls
            continue
        model = _fit_trees(train, seed, trees)
        oof[test_idx] = _trial_scores(model, [usable[i] for i in test_idx])
    scored = ~np.isnan(oof)
    falls = np.array([it.fall for it in usable])[scored]
    oof = oof[scored]
    if falls.all() or not falls.any():
        return 0.5
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    scores = np.array([(oof[falls] >= g).mean() + (oof[~falls] < g).mean() for g in grid])
    best = grid[scores >= scores.max() - 1e-12]
    return float(best[len(best) // 2])


def fit(items: list[TrialData], seed: int, trees: int | None = None) -> TreeModel:
    """Trees on all given trials, decision threshold from an inner subject-wise CV."""
    model = _fit_trees(items, seed, trees)
    threshold = choose_threshold(items, seed, trees)
    meta = {**model.meta, "threshold_from": f"inner GroupKFold({INNER_FOLDS}) by subject"}
    return replace(model, threshold_p=threshold, meta=meta)


def export(clf: Any, x: Array, seed: int, items: list[TrialData]) -> TreeModel:
    trees = [est[0].tree_ for est in clf.estimators_]
    nodes = max(t.node_count for t in trees)
    depth = max(t.max_depth for t in trees)
    n = len(trees)
    feature = np.zeros((n, nodes), dtype=np.intp)
    thr = np.full((n, nodes), np.inf)
    left = np.tile(np.arange(nodes, dtype=np.intp), (n, 1))
    right = left.copy()
    value = np.zeros((n, nodes))
    for i, t in enumerate(trees):
        k = t.node_count
        inner = t.children_left[:k] >= 0
        feature[i, :k] = np.where(inner, t.feature[:k], 0)
        thr[i, :k] = np.where(inner, t.threshold[:k], np.inf)
        left[i, :k] = np.where(inner, t.children_left[:k], np.arange(k))
        right[i, :k] = np.where(inner, t.children_right[:k], np.arange(k))
        value[i, :k] = t.value[:k, 0, 0] * clf.learning_rate
    probe = x[:1]
    tree_sum = sum(float(est[0].predict(probe)[0]) for est in clf.estimators_)
    base = float(clf.decision_function(probe)[0]) - clf.learning_rate * tree_sum
    keys = "\n".join(sorted(it.key for it in items)).encode()
    meta = {
        "trainer": "sklearn GradientBoostingClassifier",
        "params": {**GBT_PARAMS, "n_estimators": len(trees)},
        "seed": seed,
        "data": "SisFall (waist, ADXL345), all subjects",
        "trials": len(items),
        "trials_sha256": hashlib.sha256(keys).hexdigest()[:16],
        "windows": int(x.shape[0]),
        "trigger": TriggerConfig().__repr__(),
    }
    return TreeModel(feature, thr, left, right, value, base, depth, meta=meta)


def _baseline_threshold(items: list[TrialData]) -> float:
    """Peak-|a| threshold with the best balanced accuracy on these (training) trials."""
    peaks = np.array([float(it.peaks.max(initial=0.0)) for it in items])
    falls = np.array([it.fall for it in items])
    best, best_score = 2.0, -1.0
    for thr in np.arange(1.4, 8.0, 0.05):
        alarm = peaks >= thr
        score = alarm[falls].mean() + (~alarm[~falls]).mean()
        if score > best_score:
            best, best_score = float(thr), float(score)
    return best


def _outcome(it: TrialData, positive: int) -> Outcome:
    windows = int(it.x.shape[0]) if it.problem is None else 0
    return Outcome(
        it.key, it.subject, it.code, it.fall, it.elderly, it.seconds, positive, windows, it.problem
    )


def cross_validate(
    items: list[TrialData], seed: int, folds: int = 5, trees: int | None = None
) -> dict[str, Any]:
    """Subject-wise cross-validation of the model and of the threshold baseline."""
    from sklearn.model_selection import GroupKFold

    subjects = np.array([it.subject for it in items])
    model_out: list[Outcome] = []
    confirmed_out: list[Outcome] = []
    settings = FallSettings()
    base_out: list[Outcome] = []
    thresholds: list[float] = []
    model_thresholds: list[float] = []
    for train_idx, test_idx in GroupKFold(n_splits=folds).split(subjects, groups=subjects):
        train = [items[i] for i in train_idx]
        model = fit(train, seed, trees)
        model_thresholds.append(model.threshold_p)
        thr = _baseline_threshold([it for it in train if it.problem is None])
        thresholds.append(round(thr, 2))
        for i in test_idx:
            it = items[i]
            n = it.x.shape[0] if it.problem is None else 0
            p = model.probability(it.x) if n else np.empty(0)
            model_out.append(_outcome(it, int((p >= model.threshold_p).sum())))
            alarms = alarms_in_recording(list(it.impact_s), p.tolist(), model.threshold_p, settings)
            confirmed_out.append(_outcome(it, alarms))
            base_out.append(_outcome(it, int((it.peaks >= thr).sum()) if n else 0))
    return {
        "protocol": f"GroupKFold({folds}) by subject, trial level, seed {seed}",
        "trees": trees or GBT_PARAMS["n_estimators"],
        "model": {"thresholds_p": model_thresholds, **report(model_out)},
        "model_confirmed": {
            "rule": "post_fall logic with default FallSettings on the trial's own windows",
            **report(confirmed_out),
        },
        "threshold_baseline": {"thresholds_g": thresholds, **report(base_out)},
    }


def save_default(model: TreeModel, path: Path) -> None:
    model.save(path)
