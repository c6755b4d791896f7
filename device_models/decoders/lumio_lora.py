"""Lumio LS-10: a battery LoRa room sensor with a compact 8-byte uplink (big-endian).

byte 0     frame type: 0x01 periodic, 0x02 motion change
byte 1     flags: bit 0 motion now, bit 1 tamper, bit 2 battery low (the sensor's own view)
byte 2     battery, % (0-100)
bytes 3-4  temperature, signed, tenths of a degree Celsius
byte 5     relative humidity, %
bytes 6-7  frame counter (wraps at 65,536, so Anju assigns `seq` itself)
"""

from __future__ import annotations

import struct
from typing import Any

FRAME = struct.Struct(">BBBhBH")
PERIODIC, MOTION = 0x01, 0x02


def decode(payload: bytes, ctx: Any) -> list[dict[str, Any]]:
    if len(payload) != FRAME.size:
        raise ValueError(f"frame is {len(payload)} bytes, expected {FRAME.size}")
    kind, flags, battery, temp10, humidity, _counter = FRAME.unpack(payload)
    reading = {
        "channel": "reading",
        "values": {"temperature": temp10 / 10.0, "humidity": humidity, "battery": battery},
    }
    if kind == PERIODIC:
        return [reading]
    if kind == MOTION:
        return [{"channel": "event", "type": "motion", "state": bool(flags & 0x01)}, reading]
    raise ValueError(f"unknown frame type 0x{kind:02x}")


def encode(
    kind: int, *, motion: bool, battery: int, temp_c: float, humidity: int, counter: int
) -> bytes:
    """A frame as the sensor sends it (samples, tests and the benchmark use it)."""
    return FRAME.pack(kind, int(motion), battery, round(temp_c * 10), humidity, counter & 0xFFFF)
