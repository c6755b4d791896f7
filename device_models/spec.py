"""What a device model file says, as typed values (the vocabulary is closed and documented in
docs/device-models.md). `loader.py` builds these from YAML; nothing here does I/O."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: capability type -> the care meanings it may have (the first is the default)
CAPABILITY_TYPES: dict[str, tuple[str, ...]] = {
    "motion": ("activity",),
    "door": ("activity",),
    "bed": ("activity",),
    "presence": ("activity",),
    "temperature": ("environment", "vital"),
    "humidity": ("environment",),
    "smoke": ("environment",),
    "heart_rate": ("vital",),
    "spo2": ("vital",),
    "steps": ("activity",),
    "acceleration_window": ("fall",),
    "impact": ("fall",),
    "location": ("location",),
    "battery": ("technical",),
    "sos": ("panic",),
    "cancel": ("panic", "fall"),
    "fall_event": ("fall",),
}
CARE_MEANINGS = ("panic", "fall", "technical", "activity", "vital", "environment", "location")

#: capability type -> what it becomes in the device contract: ("values", field) of a reading,
#: ("event", type) of an event, or ("status", field) of a heartbeat
CONTRACT_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "motion": (("event", "motion"),),
    "presence": (("event", "motion"),),
    "door": (("event", "door"),),
    "bed": (("event", "bed"),),
    "temperature": (("values", "temperature"),),
    "humidity": (("values", "humidity"),),
    "smoke": (("values", "smoke"), ("event", "smoke_alarm")),
    "heart_rate": (("values", "heart_rate"),),
    "spo2": (("values", "spo2"),),
    "steps": (("values", "steps"),),
    "acceleration_window": (("event", "impact"),),
    "impact": (("event", "impact"),),
    "location": (("values", "lat"), ("values", "lon"), ("values", "accuracy_m")),
    "battery": (("values", "battery"), ("status", "battery")),
    "sos": (("event", "sos"),),
    "cancel": (("event", "cancel"),),
    "fall_event": (("event", "fall"),),
}
#: what every device may send whatever it declares: heartbeats, availability, command answers
ALWAYS_ALLOWED_EVENTS = frozenset({"command_result"})

POWER = ("battery", "mains")
PLACEMENTS = ("room", "wrist", "neck", "belt")
PAYLOADS = ("json", "binary", "text")
MODEL_ID_PATTERN = r"[a-z0-9][a-z0-9_.-]{0,63}"

DEFAULT_MAX_PAYLOAD_BYTES = 4096
DEFAULT_TIMEOUT_MS = 20
DEFAULT_MAX_MESSAGES = 16
HARD_MAX_PAYLOAD_BYTES = 64 * 1024  # the contract's own limit: no model may raise it
HARD_MAX_TIMEOUT_MS = 1000


class ModelError(Exception):
    """A model file that cannot be used: where (file, line), what is wrong, and how to fix it."""

    def __init__(self, file: Path | str, line: int, message: str, fix: str = "") -> None:
        self.file = str(file)
        self.line = line
        self.message = message
        self.fix = fix
        text = f"{self.file}:{line}: {message}"
        super().__init__(f"{text} (fix: {fix})" if fix else text)


@dataclass(frozen=True, slots=True)
class Capability:
    name: str
    type: str
    care: str
    unit: str | None = None
    range: tuple[float, float] | None = None
    low_below: float | None = None  # battery: technical alarm below this %


@dataclass(frozen=True, slots=True)
class Supervision:
    heartbeat_s: float
    offline_after_s: float


@dataclass(frozen=True, slots=True)
class Match:
    topic: str
    payload: str  # json | binary | text
    device_field: str | None = None  # dotted path of the device id in a JSON payload


@dataclass(frozen=True, slots=True)
class Limits:
    max_payload_bytes: int = DEFAULT_MAX_PAYLOAD_BYTES
    timeout_ms: int = DEFAULT_TIMEOUT_MS
    max_messages: int = DEFAULT_MAX_MESSAGES


@dataclass(frozen=True, slots=True)
class DecodeContext:
    """What a decoder knows besides the payload."""

    device_id: str
    topic: str
    received_ms: int
    topic_vars: dict[str, str] = field(default_factory=dict)


Decoder = Callable[[bytes, DecodeContext], Any]
