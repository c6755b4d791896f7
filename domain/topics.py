"""MQTT topic layout of the device contract v1.

    anju/v1/{home_id}/{device_id}/{channel}

Channels a device publishes: `reading`, `event`, `status` (heartbeat), `availability`
(retained, Last Will). Channel a device subscribes to: `cmd`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

PREFIX = "anju/v1"
ID_PATTERN = r"[a-z0-9][a-z0-9_-]{0,63}"
_ID = re.compile(ID_PATTERN)

Channel = Literal["reading", "event", "status", "availability", "cmd"]
UPLINK_CHANNELS: frozenset[str] = frozenset({"reading", "event", "status", "availability"})
#: the subscription ingest uses (prefixed with `$share/{group}/` where the broker supports it)
UPLINK_FILTER = f"{PREFIX}/+/+/+"


@dataclass(frozen=True, slots=True)
class Topic:
    home_id: str
    device_id: str
    channel: str


def topic(home_id: str, device_id: str, channel: Channel) -> str:
    return f"{PREFIX}/{home_id}/{device_id}/{channel}"


def parse_topic(name: str) -> Topic | None:
    """Split an uplink topic; None if it is not one of the contract's."""
    parts = name.split("/")
    if len(parts) != 5 or parts[0] != "anju" or parts[1] != "v1":
        return None
    home_id, device_id, channel = parts[2], parts[3], parts[4]
    if channel not in UPLINK_CHANNELS:
        return None
    if not (_ID.fullmatch(home_id) and _ID.fullmatch(device_id)):
        return None
    return Topic(home_id, device_id, channel)


def valid_id(value: str) -> bool:
    return _ID.fullmatch(value) is not None
