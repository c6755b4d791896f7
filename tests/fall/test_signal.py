"""Input checks: every kind of bad input gives a clear, typed error; good input becomes 50 Hz."""

from __future__ import annotations

import numpy as np
import pytest

from detectors.fall.signal import FS, STANDARD_G, InputError, Problem, prepare
from tests.fall.helpers import recording


def _problem(accel: object, **kw: object) -> Problem:
    with pytest.raises(InputError) as err:
        prepare(accel, **kw)  # type: ignore[arg-type]
    return err.value.problem


def test_good_input_is_resampled_to_50_hz_in_g() -> None:
    for fs in (20.0, 25.0, 50.0, 100.0, 200.0):
        p = prepare(recording(8, fs=fs), fs=fs)
        assert p.accel.shape[1] == 3
        assert abs(p.accel.shape[0] - 8 * FS) <= 3
        assert np.median(np.linalg.norm(p.accel, axis=1)) == pytest.approx(1.0, abs=0.02)
        assert p.source_fs == pytest.approx(fs)


def test_50_hz_input_passes_unchanged() -> None:
    a = recording(6)
    assert np.array_equal(prepare(a, fs=FS).accel, a)


def test_resampling_commutes_with_rotation() -> None:
    a = recording(8, fs=200.0, impacts=((4.0, 5.0),))
    rot = np.linalg.qr(np.random.default_rng(3).normal(size=(3, 3)))[0]
    turned = prepare(a @ rot.T, fs=200.0).accel
    assert np.allclose(turned, prepare(a, fs=200.0).accel @ rot.T, atol=1e-9)


def test_bad_inputs_are_named() -> None:
    a = recording(8)
    nan = a.copy()
    nan[100, 1] = np.nan
    assert _problem(nan, fs=FS) is Problem.NOT_FINITE
    assert _problem(a[:, :2], fs=FS) is Problem.BAD_SHAPE
    assert _problem([["x", 1, 2]] * 10, fs=FS) is Problem.BAD_SHAPE
    assert _problem(a[:100], fs=FS) is Problem.TOO_SHORT
    assert _problem(a, fs=10.0) is Problem.BAD_RATE
    assert _problem(a, fs=800.0) is Problem.BAD_RATE
    assert _problem(a, fs=float("nan")) is Problem.BAD_RATE
    t = np.arange(a.shape[0]) / FS
    gap = t.copy()
    gap[200:] += 1.0
    assert _problem(a, t=gap) is Problem.GAP
    back = t.copy()
    back[10] = back[9]
    assert _problem(a, t=back) is Problem.BAD_TIME
    assert _problem(a * 1000, fs=FS) is Problem.WRONG_UNITS  # mg or counts


def test_metres_per_second_squared_are_rejected_unless_converted() -> None:
    a = recording(8, impacts=((4.0, 4.0),))
    assert _problem(a * STANDARD_G, fs=FS) is Problem.WRONG_UNITS
    p = prepare(a * STANDARD_G, fs=FS, convert_ms2=True)
    assert "converted_ms2" in p.notes
    assert np.allclose(p.accel, a)


def test_saturation_clipped_peaks_are_flagged_and_wide_clipping_rejected() -> None:
    a = recording(8, impacts=((4.0, 6.0),))
    few = a.copy()
    few[199:202, 2] = 4.0  # a short clipped peak: still classified, but noted
    p = prepare(few, fs=FS)
    assert any(n.startswith("clipped:") for n in p.notes)
    many = a.copy()
    many[::20, 0] = 8.0  # isolated extremes are not a plateau ...
    many[50:80, 0] = 8.0  # ... a long one is: the sensor's range is wrong
    assert _problem(many, fs=FS) is Problem.SATURATED
