"""Device models the simulator builds: heartbeat interval, power, firmware, PIR timing.

Heartbeats follow the supervision practice in docs/contract.md and design.md: battery devices
report status about hourly (supervised on a ~25 h window), mains devices every few minutes.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.model import DeviceKind, Room


@dataclass(frozen=True, slots=True)
class ModelSpec:
    model: str
    kind: DeviceKind
    heartbeat_s: float
    battery_days: float | None  # None: mains powered
    fw: str = "1.4.2"
    reading_s: float | None = None  # periodic reading (heart rate, environment)


PENDANT = ModelSpec("anju-pendant-p2", DeviceKind.PENDANT, 900.0, 30.0, "2.1.0", 60.0)
PIR = ModelSpec("anju-pir-m1", DeviceKind.MOTION, 3600.0, 730.0)
DOOR = ModelSpec("anju-door-d1", DeviceKind.DOOR, 3600.0, 900.0)
BED = ModelSpec("anju-bedmat-b1", DeviceKind.BED, 3600.0, 540.0)
ENVIRONMENT = ModelSpec("anju-kitchen-e1", DeviceKind.ENVIRONMENT, 600.0, None, "1.2.0", 300.0)
GATEWAY = ModelSpec("anju-gateway-g1", DeviceKind.GATEWAY, 300.0, None, "3.0.1")

PIR_ROOMS: tuple[Room, ...] = (
    Room.BATHROOM,
    Room.KITCHEN,
    Room.ENTRANCE,
    Room.BEDROOM,
    Room.LIVING_ROOM,
)
PIR_BLIND_S = 30.0  # after a report the PIR cannot report again for this long
PIR_CLEAR_S = 90.0  # no report for this long: the PIR says the room is quiet (state false)
IMPACT_FS = 50.0
IMPACT_PRE_S = 3.0
IMPACT_POST_S = 4.0
