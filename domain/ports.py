"""The small interfaces the core needs from the outside world (adapters live in `stores/`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from domain.alarms import Alarm
from domain.model import Device, Home, Resident
from domain.points import Point


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A rejected message, kept as it arrived."""

    received_ms: int
    reason: str
    detail: str
    topic: str
    payload: bytes


class TimeSeriesStore(Protocol):
    def write(self, points: Sequence[Point]) -> None:
        """Store points durably before returning; idempotent on (device_id, seq)."""
        ...

    def query(
        self,
        home_id: str,
        start_ms: int,
        end_ms: int,
        *,
        device_id: str | None = None,
        measurement: str | None = None,
        limit: int | None = None,
    ) -> list[Point]:
        """Points of a home with start_ms <= ts < end_ms, oldest first."""
        ...

    def keys_since(self, start_ms: int) -> Iterator[tuple[str, int]]:
        """(device_id, seq) of every point stored with ts >= start_ms (rebuilds dedup)."""
        ...

    def count(self) -> int: ...

    def close(self) -> None: ...


class StateStore(Protocol):
    def upsert_home(self, home: Home) -> None: ...

    def get_home(self, home_id: str) -> Home | None: ...

    def list_homes(self) -> list[Home]: ...

    def upsert_resident(self, resident: Resident) -> None: ...

    def get_resident(self, resident_id: str) -> Resident | None: ...

    def list_residents(self, home_id: str) -> list[Resident]: ...

    def upsert_device(self, device: Device) -> None: ...

    def get_device(self, device_id: str) -> Device | None: ...

    def list_devices(self, home_id: str | None = None) -> list[Device]: ...

    def save_alarm(self, alarm: Alarm) -> None:
        """Insert or update an alarm together with its history."""
        ...

    def get_alarm(self, alarm_id: str) -> Alarm | None: ...

    def find_open_alarm(self, home_id: str, type_: str) -> Alarm | None: ...

    def list_alarms(self, *, open_only: bool = False, limit: int = 500) -> list[Alarm]: ...

    def add_dead_letters(self, letters: Sequence[DeadLetter]) -> None: ...

    def dead_letters(self, *, reason: str | None = None, limit: int = 100) -> list[DeadLetter]: ...

    def load_blob(self, key: str) -> bytes | None:
        """Detector state, learned baselines, timers: small blobs by key (survive restarts)."""
        ...

    def save_blob(self, key: str, value: bytes) -> None: ...

    def save_blobs(self, blobs: Mapping[str, bytes]) -> None:
        """Many blobs in one transaction (a checkpoint of every home's detector state)."""
        ...

    def close(self) -> None: ...
