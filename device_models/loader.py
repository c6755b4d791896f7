"""Read and check one model file. Every problem is a `ModelError` naming the file, the line and
the fix; a file that loads is a `DeviceModel` that ingest can use as it is."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

from device_models import decoders_loader, outputs
from device_models.model import DeviceModel
from device_models.spec import (
    CAPABILITY_TYPES,
    CONTRACT_FIELDS,
    HARD_MAX_PAYLOAD_BYTES,
    HARD_MAX_TIMEOUT_MS,
    MODEL_ID_PATTERN,
    PAYLOADS,
    PLACEMENTS,
    POWER,
    Capability,
    Limits,
    Match,
    ModelError,
    Supervision,
)
from device_models.topics import PatternError, parse_pattern
from device_models.yamlsrc import LList, LMap, load_yaml
from domain.model import DeviceKind

_ID = re.compile(MODEL_ID_PATTERN)
_TOP = {
    "id": True,
    "vendor": True,
    "model": True,
    "kind": True,
    "power": True,
    "supervision": True,
    "placement": False,
    "match": True,
    "decoder": False,
    "limits": False,
    "capabilities": True,
    "description": False,
}
_CAP_KEYS = ("name", "type", "care", "unit", "range", "low_below")
_SINGLE_VALUE = {t for t, fields in CONTRACT_FIELDS.items() if fields[0][0] != "event"} - {
    "location"
}


class _File:
    """The file being checked: raises errors that point into it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: LMap | LList, key: str | int, message: str, fix: str) -> ModelError:
        line = where.line_of(str(key)) if isinstance(where, LMap) else where.line_of(int(key))
        return ModelError(self.path, line, message, fix)

    def mapping(self, parent: LMap, key: str, allowed: dict[str, bool]) -> LMap:
        value = parent.get(key)
        if not isinstance(value, LMap):
            raise self.fail(parent, key, f"`{key}` must be a mapping", f"write `{key}:` + keys")
        self.keys(value, allowed, key)
        return value

    def keys(self, node: LMap, allowed: dict[str, bool], what: str) -> None:
        for key in node:
            if key not in allowed:
                near = difflib.get_close_matches(key, list(allowed), n=1)
                fix = f"did you mean `{near[0]}`?" if near else f"allowed: {', '.join(allowed)}"
                raise self.fail(node, key, f"unknown key `{key}` in {what}", fix)
        for key, required in allowed.items():
            if required and key not in node:
                raise ModelError(self.path, node.line, f"{what} has no `{key}`", f"add `{key}:`")

    def text(self, node: LMap, key: str, fix: str) -> str:
        value = node.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(node, key, f"`{key}` must be non-empty text", fix)
        return value

    def choice(self, node: LMap, key: str, options: tuple[str, ...] | list[str]) -> str:
        value = node.get(key)
        if value not in options:
            raise self.fail(
                node, key, f"`{key}: {value}` is not one of {', '.join(options)}", "pick one"
            )
        return str(value)

    def number(self, node: LMap, key: str, lo: float, hi: float, default: float) -> float:
        value = node.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
            raise self.fail(node, key, f"`{key}: {value}` is not a number in [{lo:g}, {hi:g}]", "")
        return float(value)


def load_model(path: Path) -> DeviceModel:
    """The model in `path`; raises ModelError (file, line, message, fix)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(path, 1, f"cannot read the file: {exc}", "save it as UTF-8 text") from None
    doc = load_yaml(path, text)
    f = _File(path)
    if not isinstance(doc, LMap):
        raise ModelError(path, 1, "a model file is a mapping of keys", "start with `id: ...`")
    f.keys(doc, _TOP, "the model")
    model_id = f.text(doc, "id", "a lower-case id like acme-lora-pir-v2")
    if not _ID.fullmatch(model_id):
        raise f.fail(doc, "id", f"id {model_id!r} is not [a-z0-9][a-z0-9_.-]{{0,63}}", "lower-case")
    kind = DeviceKind(f.choice(doc, "kind", [k.value for k in DeviceKind]))
    power = f.choice(doc, "power", POWER)
    placement = f.choice(doc, "placement", PLACEMENTS) if "placement" in doc else "room"
    sup = f.mapping(doc, "supervision", {"heartbeat_s": True, "offline_after_s": True})
    heartbeat = f.number(sup, "heartbeat_s", 1, 7 * 86400, 0)
    offline = f.number(sup, "offline_after_s", 1, 30 * 86400, 0)
    if offline < heartbeat:
        raise f.fail(
            sup,
            "offline_after_s",
            "offline_after_s is shorter than heartbeat_s",
            "allow at least one heartbeat, usually 2-25 of them",
        )
    match = _match(f, doc)
    limits = _limits(f, doc)
    capabilities = _capabilities(f, doc)
    decoder_ref = doc.get("decoder")
    decoder, decoder_file = None, None
    if decoder_ref is not None:
        if not isinstance(decoder_ref, str):
            raise f.fail(doc, "decoder", "`decoder` must be text", "write module:function")
        try:
            decoder, decoder_file = decoders_loader.resolve(path, decoder_ref)
        except decoders_loader.DecoderLoadError as exc:
            raise f.fail(doc, "decoder", str(exc), exc.fix) from None
    pattern = parse_pattern(match.topic)  # checked in _match
    if decoder is None and ("channel" not in pattern.names or match.payload != "json"):
        raise f.fail(
            doc,
            "match",
            "without a decoder the payload must be the contract's JSON",
            "add {channel} to the topic and `payload: json`, or name a `decoder:`",
        )
    return DeviceModel(
        id=model_id,
        vendor=f.text(doc, "vendor", "the maker's name"),
        model=f.text(doc, "model", "the maker's model name"),
        kind=kind,
        power=power,
        supervision=Supervision(heartbeat, offline),
        placement=placement,
        match=match,
        pattern=pattern,
        capabilities=capabilities,
        decoder=decoder,
        decoder_ref=decoder_ref,
        decoder_file=decoder_file,
        limits=limits,
        source=path,
        checks=outputs.Checks(capabilities),
        device_reader=outputs.FieldReader(match.device_field) if match.device_field else None,
    )


def _match(f: _File, doc: LMap) -> Match:
    node = f.mapping(doc, "match", {"topic": True, "payload": True, "device_field": False})
    topic = f.text(node, "topic", 'a pattern like "acme/lora/{device}/up"')
    try:
        pattern = parse_pattern(topic)
    except PatternError as exc:
        raise f.fail(node, "topic", str(exc), exc.fix) from None
    payload = f.choice(node, "payload", PAYLOADS)
    field = node.get("device_field")
    if field is not None and (not isinstance(field, str) or payload != "json"):
        raise f.fail(
            node,
            "device_field",
            "`device_field` is a dotted path into a JSON payload",
            'write e.g. `device_field: "dev.imei"` with `payload: json`',
        )
    if ("device" in pattern.names) == (field is not None):
        raise f.fail(
            node,
            "topic",
            "the device id must come from {device} in the topic or from "
            "`device_field`, exactly one",
            'e.g. topic "acme/{device}/up"',
        )
    return Match(topic, payload, field)


def _limits(f: _File, doc: LMap) -> Limits:
    if "limits" not in doc:
        return Limits()
    node = f.mapping(
        doc, "limits", {"max_payload_bytes": False, "timeout_ms": False, "max_messages": False}
    )
    default = Limits()
    return Limits(
        int(
            f.number(
                node, "max_payload_bytes", 1, HARD_MAX_PAYLOAD_BYTES, default.max_payload_bytes
            )
        ),
        int(f.number(node, "timeout_ms", 1, HARD_MAX_TIMEOUT_MS, default.timeout_ms)),
        int(f.number(node, "max_messages", 1, 256, default.max_messages)),
    )


def _capabilities(f: _File, doc: LMap) -> tuple[Capability, ...]:
    caps = doc.get("capabilities")
    if not isinstance(caps, LList) or not caps:
        raise f.fail(
            doc,
            "capabilities",
            "`capabilities` must be a non-empty list",
            "- {name: battery, type: battery, unit: '%', range: [0, 100]}",
        )
    out: list[Capability] = []
    for index, node in enumerate(caps):
        if not isinstance(node, LMap):
            raise f.fail(caps, index, "a capability is a mapping", "- {name: ..., type: ...}")
        f.keys(node, {k: k in ("name", "type") for k in _CAP_KEYS}, "a capability")
        name = f.text(node, "name", "a short name like temperature")
        if any(c.name == name for c in out):
            raise f.fail(node, "name", f"capability {name!r} is declared twice", "rename one")
        ctype = f.choice(node, "type", list(CAPABILITY_TYPES))
        cares = CAPABILITY_TYPES[ctype]
        care = f.choice(node, "care", cares) if "care" in node else cares[0]
        out.append(
            Capability(
                name,
                ctype,
                care,
                _unit(f, node),
                _range(f, node, ctype),
                _low_below(f, node, ctype),
            )
        )
    return tuple(out)


def _unit(f: _File, node: LMap) -> str | None:
    unit = node.get("unit")
    if unit is not None and not isinstance(unit, str):
        raise f.fail(node, "unit", "`unit` must be text", 'quote it: unit: "%"')
    return unit


def _range(f: _File, node: LMap, ctype: str) -> tuple[float, float] | None:
    if "range" not in node:
        return None
    value: Any = node["range"]
    if ctype not in _SINGLE_VALUE:
        raise f.fail(node, "range", f"a {ctype} capability has no numeric range", "remove `range`")
    ok = isinstance(value, list) and len(value) == 2
    ok = ok and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    if not ok or value[0] >= value[1]:
        raise f.fail(node, "range", f"range {value!r} is not [low, high]", "write range: [0, 100]")
    return float(value[0]), float(value[1])


def _low_below(f: _File, node: LMap, ctype: str) -> float | None:
    if "low_below" not in node:
        return None
    if ctype != "battery":
        raise f.fail(node, "low_below", "only a battery has `low_below`", "remove it")
    return f.number(node, "low_below", 0, 100, 0)
