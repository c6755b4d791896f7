"""The on-device trigger: the same windows whether fed sample by sample or all at once."""

from __future__ import annotations

import numpy as np

from detectors.fall.signal import FS
from detectors.fall.trigger import Trigger, TriggerConfig, windows_of
from tests.fall.helpers import recording


def test_window_is_centred_on_the_highest_peak() -> None:
    c = TriggerConfig()
    a = recording(20, impacts=((6.0, 4.0),))
    found = windows_of(a, c)
    assert len(found) == 1
    w = found[0]
    assert w.accel.shape == (c.length, 3)
    assert abs(w.impact_index - round(6.0 * FS)) <= 2
    assert abs(w.peak_g - float(np.linalg.norm(w.accel[c.pre_n]))) < 1e-12
    assert w.padded == 0


def test_streaming_in_chunks_gives_the_same_windows() -> None:
    a = recording(40, impacts=((5.0, 3.0), (6.0, 5.0), (20.0, 2.5), (33.0, 4.0)))
    whole = windows_of(a)
    rng = np.random.default_rng(1)
    trigger = Trigger()
    chunked = []
    i = 0
    while i < a.shape[0]:
        k = int(rng.integers(1, 60))
        chunked += trigger.feed(a[i : i + k])
        i += k
    chunked += trigger.flush()
    assert [w.impact_index for w in chunked] == [w.impact_index for w in whole]
    for x, y in zip(chunked, whole, strict=True):
        assert np.array_equal(x.accel, y.accel)
    assert len(whole) == 3  # the 3 g bump one second before the 5 g one is the same event


def test_quiet_stream_never_triggers_and_edges_are_padded_or_skipped() -> None:
    assert windows_of(recording(30)) == []
    c = TriggerConfig()
    near_end = windows_of(recording(10, impacts=((6.8, 4.0),)), c)
    assert len(near_end) == 1 and near_end[0].padded > 0
    trigger = Trigger(c)
    assert trigger.feed(recording(10, impacts=((9.8, 4.0),))) + trigger.flush() == []
    assert trigger.skipped == 1
