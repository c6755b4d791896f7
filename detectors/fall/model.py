"""The shipped fall classifier: gradient-boosted trees flattened to arrays, evaluated with numpy.

Trained offline with scikit-learn (`detectors.fall.training`), exported to a small JSON file
in `detectors/fall/model/` (no pickle: loading never runs code from the file) and evaluated
here without scikit-learn. Trees are padded to one node count; a leaf points to itself, so
`depth` steps of "go left if x[feature] <= threshold" reach every leaf.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from detectors.fall.features import FEATURE_NAMES

FORMAT = "anju-fall-gbt"
MODEL_DIR = Path(__file__).parent / "model"
VERSION = "2"  # v2: 19 features (impact width, later peak, turn rate added)
DEFAULT_MODEL = MODEL_DIR / f"fall-gbt-v{VERSION}.json"


@dataclass(frozen=True)
class TreeModel:
    feature: NDArray[np.intp]  # (trees, nodes); leaves: 0
    threshold: NDArray[np.float64]  # (trees, nodes); leaves: +inf
    left: NDArray[np.intp]  # (trees, nodes); leaves: themselves
    right: NDArray[np.intp]
    value: NDArray[np.float64]  # (trees, nodes): leaf value times the learning rate
    base_score: float  # raw score before any tree (log-odds of the prior)
    depth: int
    threshold_p: float = 0.5  # decision threshold on the probability
    version: str = VERSION
    meta: dict[str, Any] = field(default_factory=dict)

    def raw(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Raw scores (log-odds) of feature rows x, shape (n, features)."""
        # scikit-learn compares float32 features with float64 thresholds: do the same
        x = np.atleast_2d(x).astype(np.float32).astype(np.float64)
        n, trees = x.shape[0], self.feature.shape[0]
        rows = np.arange(trees)
        node = np.zeros((n, trees), dtype=np.intp)
        for _ in range(self.depth):
            f = self.feature[rows, node]
            go_left = np.take_along_axis(x, f, axis=1) <= self.threshold[rows, node]
            node = np.where(go_left, self.left[rows, node], self.right[rows, node])
        out: NDArray[np.float64] = self.base_score + self.value[rows, node].sum(axis=1)
        return out

    def probability(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        out: NDArray[np.float64] = 1.0 / (1.0 + np.exp(-self.raw(x)))
        return out

    def to_json(self) -> str:
        doc = {
            "format": FORMAT,
            "version": self.version,
            "features": list(FEATURE_NAMES),
            "depth": self.depth,
            "base_score": self.base_score,
            "threshold_p": self.threshold_p,
            "meta": self.meta,
            "trees": {
                "feature": self.feature.tolist(),
                "threshold": [[_finite(v) for v in row] for row in self.threshold.tolist()],
                "left": self.left.tolist(),
                "right": self.right.tolist(),
                "value": self.value.tolist(),
            },
        }
        return json.dumps(doc, separators=(",", ":"), sort_keys=True) + "\n"

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_json(), encoding="utf-8")


def _finite(v: float) -> float | None:
    return None if v == float("inf") else v


def from_json(text: str) -> TreeModel:
    doc = json.loads(text)
    if doc.get("format") != FORMAT:
        raise ValueError(f"not an {FORMAT} file")
    if tuple(doc["features"]) != FEATURE_NAMES:
        raise ValueError("model was trained on other features than this code computes")
    t = doc["trees"]
    thr = np.array([[np.inf if v is None else v for v in row] for row in t["threshold"]])
    feature = np.array(t["feature"], dtype=np.intp)
    left, right = np.array(t["left"], dtype=np.intp), np.array(t["right"], dtype=np.intp)
    nodes = feature.shape[1]
    if not (feature.shape == thr.shape == left.shape == right.shape):
        raise ValueError("tree arrays differ in shape")
    if feature.min() < 0 or feature.max() >= len(FEATURE_NAMES):
        raise ValueError("feature index out of range")
    if min(left.min(), right.min()) < 0 or max(left.max(), right.max()) >= nodes:
        raise ValueError("child index out of range")
    return TreeModel(
        feature=feature,
        threshold=thr,
        left=left,
        right=right,
        value=np.array(t["value"], dtype=np.float64),
        base_score=float(doc["base_score"]),
        depth=int(doc["depth"]),
        threshold_p=float(doc["threshold_p"]),
        version=str(doc["version"]),
        meta=dict(doc.get("meta", {})),
    )


def load(path: Path = DEFAULT_MODEL) -> TreeModel:
    return from_json(path.read_text(encoding="utf-8"))
