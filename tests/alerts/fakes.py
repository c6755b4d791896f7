"""An in-memory StateStore for fast unit tests of pure alarm logic (real stores elsewhere)."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence

from domain.alarms import Alarm
from domain.model import Device, Home, Resident
from domain.ports import DeadLetter


class MemoryStateStore:
    def __init__(self) -> None:
        self.homes: dict[str, Home] = {}
        self.residents: dict[str, Resident] = {}
        self.devices: dict[str, Device] = {}
        self.alarms: dict[str, Alarm] = {}
        self.letters: list[DeadLetter] = []
        self.blobs: dict[str, bytes] = {}
        self.saves = 0

    def upsert_home(self, home: Home) -> None:
        self.homes[home.home_id] = home

    def get_home(self, home_id: str) -> Home | None:
        return self.homes.get(home_id)

    def list_homes(self) -> list[Home]:
        return list(self.homes.values())

    def upsert_resident(self, resident: Resident) -> None:
        self.residents[resident.resident_id] = resident

    def get_resident(self, resident_id: str) -> Resident | None:
        return self.residents.get(resident_id)

    def list_residents(self, home_id: str) -> list[Resident]:
        return [r for r in self.residents.values() if r.home_id == home_id]

    def upsert_device(self, device: Device) -> None:
        self.devices[device.device_id] = device

    def get_device(self, device_id: str) -> Device | None:
        return self.devices.get(device_id)

    def list_devices(self, home_id: str | None = None) -> list[Device]:
        return [d for d in self.devices.values() if home_id is None or d.home_id == home_id]

    def save_alarm(self, alarm: Alarm) -> None:
        self.saves += 1
        self.alarms[alarm.alarm_id] = copy.deepcopy(alarm)

    def get_alarm(self, alarm_id: str) -> Alarm | None:
        alarm = self.alarms.get(alarm_id)
        return copy.deepcopy(alarm) if alarm else None

    def find_open_alarm(self, home_id: str, type_: str) -> Alarm | None:
        for alarm in self.alarms.values():
            if alarm.home_id == home_id and alarm.type == type_ and alarm.is_open:
                return copy.deepcopy(alarm)
        return None

    def list_alarms(self, *, open_only: bool = False, limit: int = 500) -> list[Alarm]:
        found = [a for a in self.alarms.values() if a.is_open or not open_only]
        found.sort(key=lambda a: a.raised_ms, reverse=True)
        return [copy.deepcopy(a) for a in found[:limit]]

    def add_dead_letters(self, letters: Sequence[DeadLetter]) -> None:
        self.letters.extend(letters)

    def dead_letters(self, *, reason: str | None = None, limit: int = 100) -> list[DeadLetter]:
        return [x for x in self.letters if reason is None or x.reason == reason][:limit]

    def load_blob(self, key: str) -> bytes | None:
        return self.blobs.get(key)

    def save_blob(self, key: str, value: bytes) -> None:
        self.blobs[key] = value

    def save_blobs(self, blobs: Mapping[str, bytes]) -> None:
        self.blobs.update(blobs)

    def close(self) -> None:
        return None
