"""Accelerometer windows the pendant's on-device trigger uploads (50 Hz, [x, y, z] in g).

Falls and daily-life jolts come from real SisFall trials when ../shared/data/sisfall is present
(200 Hz ADXL345 counts -> g, resampled to 50 Hz with a polyphase filter, cut around the peak of
|a|); otherwise from a parametric model: free fall, impact spike, lying still. A dropped pendant
is always parametric: a short free fall, a hard hit, then no movement at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.signal import resample_poly  # type: ignore[import-untyped]

from firmware_sim.models import IMPACT_FS, IMPACT_POST_S, IMPACT_PRE_S

Array = NDArray[np.float64]
PRE_N = round(IMPACT_PRE_S * IMPACT_FS)
POST_N = round(IMPACT_POST_S * IMPACT_FS)
SISFALL_COUNTS_TO_G = 32.0 / 8192.0
TRIGGER_G = 1.4  # the firmware opens a window when |a| passes this


def cut(samples: Array) -> Array:
    """The window around the highest |a|: PRE_N samples before, POST_N from it (edges padded)."""
    mag = np.linalg.norm(samples, axis=1)
    peak = int(np.argmax(mag))
    lo, hi = peak - PRE_N, peak + POST_N
    padded = np.pad(samples, ((max(0, -lo), max(0, hi - len(samples))), (0, 0)), mode="edge")
    start = max(0, lo)  # in padded coordinates
    return padded[start : start + PRE_N + POST_N]


def from_sisfall(raw: NDArray[np.int16]) -> Array:
    g = raw.astype(np.float64) * SISFALL_COUNTS_TO_G
    return np.asarray(resample_poly(g, 1, 4, axis=0), dtype=np.float64)  # 200 Hz -> 50 Hz


def _noise(rng: np.random.Generator, n: int, sd: float) -> Array:
    return rng.normal(0.0, sd, size=(n, 3))


def parametric_fall(rng: np.random.Generator) -> Array:
    """A body falling: it tips over while it drops, hits the floor over 0.1-0.25 s with a few
    rebounds, then lies on its side, nearly still (a person, not a pendant, hits the floor)."""
    n = PRE_N + POST_N
    up = np.array([0.0, -1.0, 0.0])
    lying = np.array([rng.choice([-1.0, 1.0]), 0.0, 0.0])  # on the side: gravity on x
    x = np.tile(up, (n, 1)) + _noise(rng, n, 0.05)
    ff = int(rng.uniform(0.35, 0.6) * IMPACT_FS)  # tipping and falling before the hit
    turn = np.linspace(0.0, 1.0, ff)[:, None]
    tilted = (1.0 - turn) * up + turn * lying
    tilted /= np.linalg.norm(tilted, axis=1)[:, None]
    x[PRE_N - ff : PRE_N] = tilted * np.linspace(1.0, 0.3, ff)[:, None] + _noise(rng, ff, 0.08)
    peak = rng.uniform(3.0, 8.0)
    direction = rng.normal(size=3)
    direction /= np.linalg.norm(direction)
    width = int(rng.integers(5, 13))  # 0.1-0.25 s of contact: the body's mass, not one sample
    pulse = np.sin(np.linspace(0.0, np.pi, width))
    x[PRE_N : PRE_N + width] = lying + direction * peak * pulse[:, None]
    rebound = PRE_N + width
    for k in range(1, 4):  # smaller rebounds as the body settles
        span = max(2, width // 2)
        x[rebound : rebound + span] = lying + direction * (-peak * 0.35**k) * pulse[:span, None]
        rebound += span
    x[rebound:] = lying + _noise(rng, n - rebound, 0.04)
    return np.clip(x, -16.0, 16.0)


def parametric_drop(rng: np.random.Generator) -> Array:
    n = PRE_N + POST_N
    x = np.tile(np.array([0.0, -1.0, 0.0]), (n, 1)) + _noise(rng, n, 0.1)
    ff = int(0.35 * IMPACT_FS)
    x[PRE_N - ff : PRE_N] = _noise(rng, ff, 0.03)  # free fall: ~0 g
    x[PRE_N] = np.array([rng.uniform(-1, 1), rng.uniform(6.0, 12.0), rng.uniform(-1, 1)])
    x[PRE_N + 1] = -0.4 * x[PRE_N]
    x[PRE_N + 2 :] = np.array([0.0, 0.0, 1.0]) + _noise(rng, n - PRE_N - 2, 0.004)  # on the floor
    return np.clip(x, -16.0, 16.0)


def parametric_adl(rng: np.random.Generator) -> Array:
    """Sitting down hard: a jolt of 1.5-2.5 g, then normal movement."""
    n = PRE_N + POST_N
    x = np.tile(np.array([0.0, -1.0, 0.0]), (n, 1)) + _noise(rng, n, 0.12)
    x[PRE_N] = np.array([0.2, -rng.uniform(1.5, 2.5), 0.3])
    return x


class WindowSource:
    """Hands out impact windows; reads SisFall trials lazily and keeps a small cache."""

    CACHE = 64

    def __init__(self, sisfall_npz: Path | None = None) -> None:
        self.path = sisfall_npz if sisfall_npz is not None and sisfall_npz.exists() else None
        self._falls: list[str] = []
        self._adls: list[str] = []
        self._cache: dict[str, Array] = {}
        self._npz: Any = None
        if self.path is not None:
            self._npz = np.load(self.path)  # lazy: reads a trial only when asked, zip index once
            keys = list(self._npz.keys())
            self._falls = [k for k in keys if k.split("/")[-1].startswith("F")]
            self._adls = [k for k in keys if k.split("/")[-1].startswith("D")]

    @property
    def real(self) -> bool:
        return self.path is not None

    def _trial(self, key: str) -> Array:
        if key not in self._cache:
            if len(self._cache) >= self.CACHE:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = cut(from_sisfall(self._npz[key]))
        return self._cache[key]

    def fall(self, rng: np.random.Generator) -> tuple[Array, str]:
        if self._falls:
            key = self._falls[int(rng.integers(len(self._falls)))]
            return self._trial(key), f"sisfall:{key}"
        return parametric_fall(rng), "parametric:fall"

    def adl(self, rng: np.random.Generator) -> tuple[Array, str]:
        """A daily-life jolt strong enough to open a window (an ADL trial whose peak passes)."""
        for _ in range(8 if self._adls else 0):
            key = self._adls[int(rng.integers(len(self._adls)))]
            window = self._trial(key)
            if float(np.linalg.norm(window, axis=1).max()) >= TRIGGER_G:
                return window, f"sisfall:{key}"
        return parametric_adl(rng), "parametric:adl"

    def drop(self, rng: np.random.Generator) -> tuple[Array, str]:
        return parametric_drop(rng), "parametric:drop"


def as_payload(window: Array) -> list[list[float]]:
    return np.round(np.clip(window, -64.0, 64.0), 3).tolist()  # type: ignore[no-any-return]
