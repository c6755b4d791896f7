"""JSON Schema documents of the device contract, generated from domain.contract (pure)."""

from __future__ import annotations

import inspect
from typing import Any

import msgspec

from domain import contract

SCHEMA_DIR_NAME = "schemas"
_DOCS: dict[str, tuple[object, str]] = {
    "reading": (
        contract.Reading,
        "Anju device contract v1: reading (topic anju/v1/{home}/{device}/reading)",
    ),
    "event": (
        contract.Event,
        "Anju device contract v1: event (topic anju/v1/{home}/{device}/event)",
    ),
    "status": (
        contract.Status,
        "Anju device contract v1: heartbeat (topic anju/v1/{home}/{device}/status)",
    ),
    "availability": (
        contract.Availability,
        "Anju device contract v1: availability, retained, Last Will",
    ),
    "command": (
        contract.Command,
        "Anju device contract v1: downlink command (anju/v1/{home}/{device}/cmd)",
    ),
}


def schemas() -> dict[str, dict[str, Any]]:
    """File name -> JSON Schema document."""
    out: dict[str, dict[str, Any]] = {}
    for name, (type_, title) in _DOCS.items():
        doc = _clean_descriptions(msgspec.json.schema(type_))
        doc = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **doc}
        out[f"{name}.schema.json"] = doc
    return out


def _clean_descriptions(node: Any) -> Any:
    """Docstrings dedented the same way whichever msgspec release made the schema."""
    if isinstance(node, dict):
        return {
            k: inspect.cleandoc(v)
            if k == "description" and isinstance(v, str)
            else _clean_descriptions(v)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_clean_descriptions(v) for v in node]
    return node
