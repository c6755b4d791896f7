"""What a decoder returned -> contract messages, checked against the contract and against what
the model declares (its capabilities and their ranges)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import msgspec

from device_models.spec import ALWAYS_ALLOWED_EVENTS, CONTRACT_FIELDS, Capability
from domain import contract
from domain.decode import Body, Message, check_body, range_error
from domain.rejects import Reason, Rejected
from domain.topics import Topic, valid_id

if TYPE_CHECKING:
    from device_models.model import DeviceModel

_TYPES: dict[str, Any] = {
    "reading": contract.Reading,
    "event": contract.Event,
    "status": contract.Status,
    "availability": contract.Availability,
}
_VALUE_FIELDS: tuple[str, ...] = contract.Values.__struct_fields__


class OutputError(Exception):
    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class Checks:
    """What a model's messages may say: declared capabilities and their ranges, precomputed."""

    def __init__(self, capabilities: Sequence[Capability]) -> None:
        self.values: set[str] = set()
        self.events: set[str] = set(ALWAYS_ALLOWED_EVENTS)
        self.status_battery = False
        self.ranges: dict[tuple[str, str], tuple[float, float, str]] = {}
        for cap in capabilities:
            for kind, name in CONTRACT_FIELDS[cap.type]:
                if kind == "values":
                    self.values.add(name)
                elif kind == "event":
                    self.events.add(name)
                else:
                    self.status_battery = True
                if cap.range is not None and kind != "event":
                    self.ranges[(kind, name)] = (cap.range[0], cap.range[1], cap.name)
        # the hot path's view: reading fields that must be absent, and those with a range
        self._undeclared = tuple(f for f in _VALUE_FIELDS if f not in self.values)
        self._ranged = tuple((k[1], *b) for k, b in self.ranges.items() if k[0] == "values")
        self._battery = self.ranges.get(("status", "battery"))

    def declared(self, body: Body) -> tuple[Reason, str] | None:
        """Why the body says something the model does not declare, or None."""
        if isinstance(body, contract.Reading):
            values = body.values
            for name in self._undeclared:
                if getattr(values, name) is not None:
                    return Reason.DECODER, f"reading value {name!r} is no declared capability"
            for name, lo, hi, cap in self._ranged:
                value = getattr(values, name)
                if value is not None and not lo <= value <= hi:
                    return Reason.OUT_OF_RANGE, _outside(name, value, (lo, hi, cap))
            return None
        if isinstance(body, contract.Status):
            bounds = self._battery
            battery = body.battery
            if battery is not None and bounds is not None and not bounds[0] <= battery <= bounds[1]:
                return Reason.OUT_OF_RANGE, _outside("battery", battery, bounds)
            return None
        if isinstance(body, contract.Availability):
            return None
        tag = type(body).__struct_config__.tag
        if tag not in self.events:
            return Reason.DECODER, f"event {tag!r} is no declared capability"
        return None


def _outside(name: str, value: float, bounds: tuple[float, float, str]) -> str:
    return f"{name}={value:g} is outside [{bounds[0]:g}, {bounds[1]:g}] declared by {bounds[2]!r}"


def to_messages(
    model: DeviceModel,
    raw: object,
    where: Topic,
    received_ms: int,
    seq: Callable[[str, int, int], int],
) -> list[Message]:
    if not isinstance(raw, list | tuple):
        raise OutputError(Reason.DECODER, f"decoder returned {type(raw).__name__}, not a list")
    if len(raw) > model.limits.max_messages:
        raise OutputError(
            Reason.DECODER, f"decoder returned {len(raw)} messages > {model.limits.max_messages}"
        )
    out: list[Message] = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise OutputError(Reason.DECODER, f"message {index} is {type(item).__name__}, not dict")
        channel = item.pop("channel", None)  # the decoder's own fresh dict: ours to change
        kind = _TYPES.get(channel) if isinstance(channel, str) else None
        if kind is None or not isinstance(channel, str):
            raise OutputError(
                Reason.DECODER,
                f"message {index}: channel {channel!r} is not reading|event|status|availability",
            )
        fields = item
        if channel != "availability":
            fields.setdefault("v", contract.SCHEMA_VERSION)
            fields.setdefault("ts", received_ms)
            if "seq" not in fields:
                fields["seq"] = seq(where.device_id, received_ms, index)
        try:
            body: Body = msgspec.convert(fields, kind)
        except msgspec.ValidationError as exc:
            reason = Reason.OUT_OF_RANGE if range_error(str(exc)) else Reason.DECODER
            raise OutputError(reason, f"message {index} breaks the contract: {exc}") from None
        checked = check_body(body, received_ms)
        if isinstance(checked, Rejected):
            raise OutputError(checked.reason, checked.detail)
        problem = model.checks.declared(body)
        if problem is not None:
            raise OutputError(*problem)
        out.append(Message(Topic(where.home_id, where.device_id, channel), body))
    return out


class FieldReader:
    """Reads the device id from a JSON payload's field (dotted path) without building the rest
    of the document: msgspec skips what the typed structure does not name."""

    def __init__(self, path: str) -> None:
        leaf: Any = str | int | None
        for key in reversed(path.split(".")):
            leaf = msgspec.defstruct("Field", [("f", leaf, None)], rename={"f": key}) | None
        self._decoder = msgspec.json.Decoder(leaf)

    def __call__(self, payload: bytes) -> str | None:
        try:
            node: Any = self._decoder.decode(payload)
        except msgspec.MsgspecError:
            return None
        while isinstance(node, msgspec.Struct):
            node = node.f  # type: ignore[attr-defined]
        if isinstance(node, bool) or not isinstance(node, str | int):
            return None
        device = str(node).lower()
        if device.isascii() and device.isalnum() and len(device) <= 64:  # the common case
            return device
        return device if valid_id(device) else None
