"""Orientation-invariant features of one trigger window (numpy only).

Every feature is a function of magnitudes, of angles between mean vectors, of projections on
the window's own gravity estimate or of rotation-invariant sums (trace of a covariance), so
turning the sensor any way round leaves it unchanged. The window holds `pre_n` samples before
the impact (at index `pre_n`) and `post_n` after it, at 50 Hz.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from detectors.fall.signal import FS
from detectors.fall.trigger import TriggerConfig

Array = NDArray[np.float64]

FEATURE_NAMES: tuple[str, ...] = (
    "peak_g",  # |a| at the impact
    "pre_min_g",  # lowest |a| in the 1 s before the impact (free fall)
    "dip_to_peak_s",  # time from that minimum to the impact
    "impact_area_g_s",  # area of |a| above 1 g within +-0.5 s of the impact
    "jerk_peak_g_per_s",  # largest |da/dt| within +-0.5 s
    "dyn_peak_g",  # largest |a - gravity before| within +-0.5 s
    "pre_activity_g",  # sqrt(trace cov) over the 3 s before (walking vs. still)
    "pre_mean_g",  # mean |a| over the 3 s before
    "vert_velocity_g_s",  # integral of (a . down - 1) over the 1 s before: fall speed
    "post_activity_g",  # sqrt(trace cov) from 1 s after the impact to the end
    "post_still_g",  # the same over the last 2 s (lying still?)
    "post_mean_dev_g",  # mean ||a| - 1| from 1 s after the impact to the end
    "post_peaks",  # samples above 1.4 g from 1 s after the impact to the end
    "tilt_deg",  # angle between gravity before and gravity in the last 2 s
    "tilt_early_deg",  # the same with gravity 1-2 s after the impact
    "down_post",  # last-2 s gravity projected on the pre-impact down (cos of tilt, signed)
    "impact_width_s",  # time |a| stays above 1.4 g within +-0.5 s (a fall's hit is broad)
    "post_max_g",  # largest |a| from 0.5 s after the impact to the end (jogging goes on)
    "turn_rate_deg",  # largest turn of the 0.2-s mean vector within 0.2 s (falls turn fast)
)
N_FEATURES = len(FEATURE_NAMES)
IMPACT_G = TriggerConfig().threshold_g  # "above it" is part of the impact: the default
# trigger level, fixed whatever a home's trigger uses (the model learnt its features with it)
TURN_S = 0.2  # averaging time (and step) of the turn rate


def _activity(seg: Array) -> float:
    return float(np.sqrt(np.var(seg, axis=0).sum()))


def _angle_deg(u: Array, v: Array) -> float:
    nu, nv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
    if nu < 1e-9 or nv < 1e-9:
        return 90.0
    return float(np.degrees(np.arccos(np.clip(float(u @ v) / (nu * nv), -1.0, 1.0))))


def _fastest_turn_deg(accel: Array, n: int) -> float:
    """Largest angle between the means of `n` samples and of the `n` samples `n` later."""
    sums = np.cumsum(accel, axis=0)
    means = sums[n - 1 :].copy()
    means[1:] -= sums[:-n]
    a, b = means[:-n], means[n:]
    dot = np.einsum("ij,ij->i", a, b)
    norms = np.sqrt(np.einsum("ij,ij->i", a, a) * np.einsum("ij,ij->i", b, b))
    cos = np.clip(dot / np.maximum(norms, 1e-12), -1.0, 1.0)
    return float(np.degrees(np.arccos(float(cos.min()))))


def features(accel: Array, config: TriggerConfig | None = None) -> Array:
    """Feature vector (len N_FEATURES) of one window in g at 50 Hz, impact at `pre_n`."""
    c = config or TriggerConfig()
    p = c.pre_n
    s = round(FS)  # samples per second
    half = s // 2
    mag = np.sqrt(np.einsum("ij,ij->i", accel, accel))
    pre = accel[: p - half // 2]
    g_before = accel[max(0, p - 3 * s) : p - s].mean(axis=0)
    g_norm = float(np.linalg.norm(g_before))
    down = g_before / g_norm if g_norm > 1e-9 else np.array([0.0, 0.0, 1.0])
    g_early = accel[p + s : p + 2 * s].mean(axis=0)
    g_late = accel[-2 * s :].mean(axis=0)

    dip_lo = p - s
    dip = dip_lo + int(np.argmin(mag[dip_lo : p + 1]))
    near = slice(p - half, p + half + 1)
    jerk = np.sqrt(
        np.einsum("ij,ij->i", np.diff(accel[near], axis=0), np.diff(accel[near], axis=0))
    )
    dyn = accel[near] - g_before
    vert = accel[p - s : p] @ down - 1.0
    post = accel[p + s :]
    post_mag = mag[p + s :]
    return np.array(
        [
            mag[p],
            mag[dip],
            (p - dip) / FS,
            float(np.clip(mag[near] - 1.0, 0.0, None).sum()) / FS,
            float(jerk.max()) * FS,
            float(np.sqrt(np.einsum("ij,ij->i", dyn, dyn)).max()),
            _activity(pre[-3 * s :]),
            float(mag[max(0, p - 3 * s) : p - half // 2].mean()),
            float(vert.sum()) / FS,
            _activity(post),
            _activity(accel[-2 * s :]),
            float(np.abs(post_mag - 1.0).mean()),
            float(np.count_nonzero(post_mag > 1.4)),
            _angle_deg(g_before, g_late),
            _angle_deg(g_before, g_early),
            float(g_late @ down),
            float(np.count_nonzero(mag[near] > IMPACT_G)) / FS,
            float(mag[p + half :].max()),
            _fastest_turn_deg(accel, round(TURN_S * FS)),
        ],
        dtype=np.float64,
    )
