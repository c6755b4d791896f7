"""What is normal for this person: learned silences per room and hour, and small samples.

Silences ("gaps" between two signs of life while the person is at home and awake) are counted
in a histogram with log-spaced bins, per room of the last sign of life and per local hour of
day. A threshold is a high quantile of the matching cell; a sparse cell borrows from the
neighbouring hours, then from every room. The histogram is a fixed 16 KB per home, so ten
thousand homes fit in memory, and it serialises as raw bytes.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from domain.model import Room

ROOMS: tuple[Room, ...] = tuple(Room)
ROOM_INDEX: dict[Room | None, int] = {room: i for i, room in enumerate(ROOMS)}
ROOM_INDEX[None] = ROOM_INDEX[Room.OTHER]
N_BINS = 48
EDGES = np.geomspace(60.0, 48 * 3600.0, N_BINS + 1)  # 1 min .. 48 h, ~18% per bin
_SATURATE = 60_000


class GapHistogram:
    """Counts of silences by (room, hour of day, duration bin)."""

    __slots__ = ("counts",)

    def __init__(self, counts: npt.NDArray[np.uint16] | None = None) -> None:
        shape = (len(ROOMS), 24, N_BINS)
        self.counts = np.zeros(shape, np.uint16) if counts is None else counts

    def add(self, room: Room | None, hour: int, gap_s: float) -> None:
        index = int(np.searchsorted(EDGES, gap_s, side="right")) - 1
        index = min(max(index, 0), N_BINS - 1)
        cell = self.counts[ROOM_INDEX[room], hour]
        if cell[index] >= _SATURATE:  # forget slowly: halve the cell, keep the shape
            cell //= 2
        cell[index] += 1

    def total(self) -> int:
        return int(self.counts.sum())

    def thresholds(self, quantile: float, min_samples: int) -> npt.NDArray[np.float64]:
        """(room, hour) -> the quantile of silences there, in seconds; NaN where unknown."""
        counts = self.counts.astype(np.int64)
        # neighbouring hours (circular): +-1 h for the room, +-1 h and +-3 h over all rooms
        near = counts + np.roll(counts, 1, axis=1) + np.roll(counts, -1, axis=1)
        all_rooms = near.sum(axis=0)
        wide = sum(np.roll(counts.sum(axis=0), k, axis=0) for k in range(-3, 4))
        everything = counts.sum(axis=(0, 1))
        shape = (len(ROOMS), 24, N_BINS)
        result = np.full((len(ROOMS), 24), np.nan)
        for cells in (everything[None, None], all_rooms[None], wide[None], near):  # widest first
            full = np.broadcast_to(cells, shape)
            enough = full.sum(axis=2) >= min_samples
            result = np.where(enough, _quantiles(full, quantile), result)
        return result

    def to_bytes(self) -> bytes:
        return self.counts.tobytes()

    @classmethod
    def from_bytes(cls, raw: bytes) -> GapHistogram:
        if not raw:
            return cls()
        counts = np.frombuffer(raw, np.uint16).reshape(len(ROOMS), 24, N_BINS).copy()
        return cls(counts)


def _quantiles(cells: npt.NDArray[np.int64], quantile: float) -> npt.NDArray[np.float64]:
    """Per cell (last axis = bins): the upper edge of the bin holding the quantile."""
    cumulative = np.cumsum(cells, axis=-1)
    target = quantile * cumulative[..., -1:]
    index = np.minimum((cumulative < target).sum(axis=-1), N_BINS - 1)
    return np.asarray(EDGES[index + 1], dtype=np.float64)


def sample_quantile(samples: list[float], quantile: float, minimum: int) -> float | None:
    """Quantile of a small sample (wake times, outings); None until there are enough."""
    if len(samples) < minimum:
        return None
    return float(np.quantile(np.asarray(samples), quantile))


def keep_last(samples: list[float], value: float, size: int = 60) -> None:
    samples.append(value)
    if len(samples) > size:
        del samples[0]


MAX_SENSORS = 64  # (sensor, part of day) rows per home (more: they keep the room's limit)
DAYS = 14  # per row, the longest silence of each of the last 14 days (a ring)
_U16 = 65_535


class SensorSilences:
    """Per sensor row: the longest silence after it on each of the last `DAYS` days.

    Only silences long enough to matter are recorded (most gaps are a sensor's own burst of
    messages, seconds apart: they say how chatty it is, not how long she stays still). A day's
    longest silence is what an alarm limit must clear, so the limit is learned from those.
    Row `i` belongs to `HomeState.sensor_names[i]`; ~4 KB per home, kept as raw bytes.
    """

    __slots__ = ("days", "gaps")

    def __init__(
        self, gaps: npt.NDArray[np.uint16] | None = None, days: npt.NDArray[np.int32] | None = None
    ) -> None:
        self.gaps = np.zeros((MAX_SENSORS, DAYS), np.uint16) if gaps is None else gaps
        self.days = np.full((MAX_SENSORS, DAYS), -1, np.int32) if days is None else days

    def add(self, row: int, day: int, gap_s: float) -> None:
        slot = day % DAYS
        if self.days[row, slot] != day:
            self.days[row, slot], self.gaps[row, slot] = day, 0
        self.gaps[row, slot] = max(int(self.gaps[row, slot]), min(int(gap_s), _U16))

    def limits(self, today: int, rows: int) -> tuple[list[float], list[int]]:
        """Per row in use: the longest silence of the last `DAYS` days (NaN if none), and on
        how many of those days there was a long silence."""
        recent = self.days[:rows] > today - DAYS
        longest = np.where(recent, self.gaps[:rows], 0).max(axis=1).astype(np.float64)
        n = recent.sum(axis=1)
        return np.where(n > 0, longest, np.nan).tolist(), n.astype(int).tolist()

    def to_bytes(self) -> bytes:
        return self.gaps.tobytes() + self.days.tobytes()

    @classmethod
    def from_bytes(cls, raw: bytes) -> SensorSilences:
        if not raw:
            return cls()
        split = MAX_SENSORS * DAYS * 2
        gaps = np.frombuffer(raw[:split], np.uint16).reshape(MAX_SENSORS, DAYS).copy()
        days = np.frombuffer(raw[split:], np.int32).reshape(MAX_SENSORS, DAYS).copy()
        return cls(gaps, days)
