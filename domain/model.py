"""Homes, residents and devices: who and what Anju watches."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Room(StrEnum):
    BATHROOM = "bathroom"
    KITCHEN = "kitchen"
    ENTRANCE = "entrance"
    BEDROOM = "bedroom"
    LIVING_ROOM = "living_room"
    OTHER = "other"


class DeviceKind(StrEnum):
    PENDANT = "pendant"  # wearable: accelerometer, heart rate, SOS, location
    SOS_BUTTON = "sos_button"
    MOTION = "motion"  # PIR
    DOOR = "door"  # contact on the front door
    BED = "bed"  # occupancy mat
    ENVIRONMENT = "environment"  # kitchen temperature / smoke
    GATEWAY = "gateway"  # the home's gateway box


@dataclass(slots=True)
class Home:
    home_id: str
    community_id: str
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    timezone: str = "Asia/Shanghai"


@dataclass(slots=True)
class Resident:
    resident_id: str
    home_id: str
    name: str
    birth_year: int | None = None
    language: str = "zh-CN"
    phone: str = ""
    notes: str = ""
    risk: list[str] = field(default_factory=list)  # lives_alone, dementia, 80plus, ...


@dataclass(slots=True)
class Device:
    device_id: str
    home_id: str
    kind: DeviceKind
    model: str = ""
    room: Room | None = None
    enabled: bool = True
