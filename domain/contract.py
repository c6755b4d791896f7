"""Device contract v1: the payloads devices publish, as typed structures.

This module is the single source of truth for the wire format. The JSON Schema files in
`domain/schemas/` are generated from these structures (`anju contract schemas`) and a test
keeps them equal, so documentation, validation and code cannot drift apart.

Every message carries a schema version `v`, the device's own timestamp `ts` (milliseconds
since the Unix epoch, UTC) and a per-device sequence number `seq` that only ever grows, also
across reboots, so that Anju can tell a lost message from a duplicate one.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

SCHEMA_VERSION = 1
MAX_PAYLOAD_BYTES = 64 * 1024

Seq = Annotated[int, Meta(ge=0, le=2**53, description="per-device sequence number, never reused")]
Timestamp = Annotated[int, Meta(ge=0, description="device time, ms since the Unix epoch (UTC)")]
Version = Annotated[int, Meta(ge=1, description="schema version of this payload")]
Percent = Annotated[float, Meta(ge=0, le=100)]


class Values(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Measurements a reading may carry. Each is optional; units and ranges are fixed here."""

    heart_rate: Annotated[float, Meta(ge=20, le=250, description="beats per minute")] | None = None
    spo2: Annotated[float, Meta(ge=50, le=100, description="blood oxygen, %")] | None = None
    temperature: Annotated[float, Meta(ge=-40, le=125, description="degrees Celsius")] | None = None
    humidity: Annotated[float, Meta(ge=0, le=100, description="relative humidity, %")] | None = None
    smoke: Annotated[float, Meta(ge=0, le=100, description="smoke obscuration, %/m")] | None = None
    battery: Annotated[float, Meta(ge=0, le=100, description="battery charge, %")] | None = None
    steps: Annotated[int, Meta(ge=0, le=200_000, description="steps since midnight")] | None = None
    lat: Annotated[float, Meta(ge=-90, le=90, description="latitude, WGS-84 degrees")] | None = None
    lon: Annotated[float, Meta(ge=-180, le=180, description="longitude, WGS-84 degrees")] | None = (
        None
    )
    accuracy_m: (
        Annotated[float, Meta(ge=0, le=100_000, description="location accuracy, m")] | None
    ) = None


class Reading(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Periodic measurements: topic `.../reading`, QoS 1."""

    v: Version
    seq: Seq
    ts: Timestamp
    values: Values


class _Event(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True, tag_field="type"):
    v: Version
    seq: Seq
    ts: Timestamp


class Sos(_Event, tag="sos"):
    """The SOS button was pressed (pendant or wall button)."""


class Cancel(_Event, tag="cancel"):
    """The resident pressed "I'm OK": cancels a pre-warning or a fresh fall alarm."""


class Motion(_Event, tag="motion"):
    """A PIR sensor saw movement (`state` true) or the room went quiet again (false)."""

    state: bool


class Door(_Event, tag="door"):
    """A door contact opened or closed."""

    state: Literal["open", "closed"]


class Bed(_Event, tag="bed"):
    """A bed occupancy mat: somebody lies in bed (`state` true) or got up (false)."""

    state: bool


class SmokeAlarm(_Event, tag="smoke_alarm"):
    """The kitchen environment sensor crossed its own smoke or heat alarm threshold."""

    state: bool


class Fall(_Event, tag="fall"):
    """A device that detects falls itself (radar, smart watch) reports a fall."""

    confidence: Annotated[float, Meta(ge=0, le=1)] | None = None


AccelSample = Annotated[
    list[Annotated[float, Meta(ge=-64, le=64)]], Meta(min_length=3, max_length=3)
]


class Impact(_Event, tag="impact"):
    """The wearable's on-device trigger fired: the window around a candidate fall.

    `accel` holds samples [x, y, z] in g at `fs` Hz; `t0` is the device time (ms) of the
    first sample. Anju's fall classifier decides whether it was a fall.
    """

    fs: Annotated[float, Meta(ge=10, le=400, description="sampling rate, Hz")]
    t0: Timestamp
    accel: Annotated[list[AccelSample], Meta(min_length=1, max_length=4000)]


class CommandResult(_Event, tag="command_result"):
    """Answer to a downlink command, matched by `id`."""

    id: Annotated[str, Meta(min_length=1, max_length=64)]
    ok: bool
    detail: Annotated[str, Meta(max_length=500)] = ""


Event = Sos | Cancel | Motion | Door | Bed | SmokeAlarm | Fall | Impact | CommandResult
EVENT_TYPES: tuple[type[_Event], ...] = (
    Sos,
    Cancel,
    Motion,
    Door,
    Bed,
    SmokeAlarm,
    Fall,
    Impact,
    CommandResult,
)


class Status(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Heartbeat: topic `.../status`, QoS 1, at the device model's supervision interval."""

    v: Version
    seq: Seq
    ts: Timestamp
    battery: Percent | None = None
    rssi: Annotated[int, Meta(ge=-150, le=0, description="signal strength, dBm")] | None = None
    fw: Annotated[str, Meta(max_length=32)] | None = None
    uptime_s: Annotated[int, Meta(ge=0)] | None = None
    # gateways only: their store-and-forward queue
    queued: (
        Annotated[int, Meta(ge=0, description="gateway: messages waiting to go upstream")] | None
    ) = None
    evicted: (
        Annotated[int, Meta(ge=0, description="gateway: readings dropped from a full queue")] | None
    ) = None


class Availability(msgspec.Struct, forbid_unknown_fields=True):
    """Topic `.../availability`, retained; the Last Will publishes `offline`."""

    state: Literal["online", "offline"]
    v: Version = SCHEMA_VERSION


class Command(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Downlink from Anju on `.../cmd`, QoS 1. Devices answer with a `command_result` event."""

    v: Version
    id: Annotated[str, Meta(min_length=1, max_length=64)]
    name: Literal[
        "set_heartbeat_interval", "report_version", "reboot", "announce", "silence", "configure"
    ]
    args: dict[str, str | int | float | bool] = msgspec.field(default_factory=dict)


Payload = Reading | Event | Status | Availability
