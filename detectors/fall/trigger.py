"""The wearable's cheap on-device trigger: a peak of |a| opens a window around the impact.

It runs on a 50 Hz stream in chunks of any size (one sample on a device, a whole recording
offline). When |a| rises above `threshold_g`, the highest peak within `peak_s` is the impact;
the window holds `pre_s` seconds before it and `post_s` seconds after it. After a window the
trigger rests for `refractory_s` seconds. A stream that starts or ends inside a window is
padded with its first / last sample, at most `max_pad_s`; the padding is reported. A peak
nearer the edge than that is skipped (counted in `skipped`) and the search goes on at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from detectors.fall.signal import FS

Array = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class TriggerConfig:
    threshold_g: float = 1.4
    pre_s: float = 3.0
    post_s: float = 4.0
    peak_s: float = 0.5
    refractory_s: float = 2.0
    max_pad_s: float = 1.5

    @property
    def pre_n(self) -> int:
        return round(self.pre_s * FS)

    @property
    def post_n(self) -> int:
        return round(self.post_s * FS)

    @property
    def length(self) -> int:
        return self.pre_n + self.post_n


@dataclass(frozen=True, slots=True)
class Window:
    accel: Array  # (config.length, 3) in g at 50 Hz; the impact is at index config.pre_n
    impact_index: int  # index of the impact in the stream (50 Hz samples since the start)
    peak_g: float
    padded: int  # samples of padding at the start or end of the stream


class Trigger:
    def __init__(self, config: TriggerConfig | None = None) -> None:
        self.config = config or TriggerConfig()
        self._buf = np.empty((0, 3))
        self._mag = np.empty(0)
        self._base = 0  # stream index of self._buf[0]
        self._scan = 0  # stream index where the search for the next trigger resumes
        self.skipped = 0  # triggers too near the start or end of the stream to fill a window

    @property
    def samples_seen(self) -> int:
        return self._base + self._buf.shape[0]

    def feed(self, samples: Array) -> list[Window]:
        """Add 50 Hz samples ([x, y, z] in g); return the windows now complete."""
        if samples.shape[0] == 0:
            return []
        self._buf = np.concatenate([self._buf, samples])
        self._mag = np.concatenate([self._mag, np.sqrt(np.einsum("ij,ij->i", samples, samples))])
        windows = self._run(final=False)
        self._trim()
        return windows

    def flush(self) -> list[Window]:
        """End of stream: emit a window still waiting for samples if padding may finish it."""
        windows = self._run(final=True)
        self._scan = self.samples_seen
        self._trim()
        return windows

    def _run(self, *, final: bool) -> list[Window]:
        c = self.config
        peak_n = max(1, round(c.peak_s * FS))
        end = self.samples_seen
        found: list[Window] = []
        while self._scan < end:
            above = np.flatnonzero(self._mag[self._scan - self._base :] > c.threshold_g)
            if above.size == 0:
                self._scan = end
                break
            start = self._scan + int(above[0])
            if start + peak_n > end and not final:
                self._scan = start
                break
            seg = self._mag[start - self._base : min(start + peak_n, end) - self._base]
            peak = start + int(np.argmax(seg))
            missing = peak + c.post_n - end
            if missing > 0 and not final:
                self._scan = start
                break
            pad_n = round(c.max_pad_s * FS)
            if missing <= pad_n and c.pre_n - peak <= pad_n:
                found.append(self._window(peak))
                self._scan = peak + round(c.refractory_s * FS)
            else:  # too near an edge: no rest, a later peak may still fill a window
                self.skipped += 1
                self._scan = peak + 1
        return found

    def _window(self, peak: int) -> Window:
        c = self.config
        lo, hi = peak - c.pre_n, peak + c.post_n
        have_lo, have_hi = max(lo, self._base), min(hi, self.samples_seen)
        part = self._buf[have_lo - self._base : have_hi - self._base]
        front, back = have_lo - lo, hi - have_hi
        accel = np.pad(part, ((front, back), (0, 0)), mode="edge") if front or back else part
        return Window(np.array(accel), peak, float(self._mag[peak - self._base]), front + back)

    def _trim(self) -> None:
        keep_from = max(self._base, min(self._scan, self.samples_seen) - self.config.pre_n - 1)
        cut = keep_from - self._base
        if cut > 0:
            self._buf = self._buf[cut:]
            self._mag = self._mag[cut:]
            self._base = keep_from


def windows_of(accel: Array, config: TriggerConfig | None = None) -> list[Window]:
    """All windows of a whole 50 Hz recording (the same trigger as the live stream)."""
    trigger = Trigger(config)
    return trigger.feed(accel) + trigger.flush()
