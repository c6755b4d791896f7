"""Which (device, seq) pairs have been taken: an interval set per device.

Sequence numbers of a device are mostly contiguous, so a device's whole history usually folds
into a handful of intervals; memory stays small even for months of readings.
"""

from __future__ import annotations

import bisect


class SeqSet:
    """Disjoint, sorted, closed intervals [start, end] of sequence numbers."""

    __slots__ = ("_ends", "_starts")

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def __contains__(self, seq: int) -> bool:
        i = bisect.bisect_right(self._starts, seq) - 1
        return i >= 0 and self._ends[i] >= seq

    def add(self, seq: int) -> bool:
        """Add seq; False if it was already present."""
        starts, ends = self._starts, self._ends
        i = bisect.bisect_right(starts, seq) - 1
        if i >= 0 and ends[i] >= seq:
            return False
        joins_left = i >= 0 and ends[i] == seq - 1
        joins_right = i + 1 < len(starts) and starts[i + 1] == seq + 1
        if joins_left and joins_right:
            ends[i] = ends[i + 1]
            del starts[i + 1], ends[i + 1]
        elif joins_left:
            ends[i] = seq
        elif joins_right:
            starts[i + 1] = seq
        else:
            starts.insert(i + 1, seq)
            ends.insert(i + 1, seq)
        return True

    def intervals(self) -> list[tuple[int, int]]:
        return list(zip(self._starts, self._ends, strict=True))

    def __len__(self) -> int:
        return sum(e - s + 1 for s, e in zip(self._starts, self._ends, strict=True))


class SeenIndex:
    """SeqSet per device."""

    def __init__(self) -> None:
        self._by_device: dict[str, SeqSet] = {}

    def add(self, device_id: str, seq: int) -> bool:
        seqs = self._by_device.get(device_id)
        if seqs is None:
            seqs = self._by_device[device_id] = SeqSet()
        return seqs.add(seq)

    def discard_device(self, device_id: str) -> None:
        self._by_device.pop(device_id, None)

    def __contains__(self, key: tuple[str, int]) -> bool:
        seqs = self._by_device.get(key[0])
        return seqs is not None and key[1] in seqs
