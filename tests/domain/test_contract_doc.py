"""Every example in docs/contract.md validates against the shipped JSON Schema and the decoder."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from anju.commands.contract import DEFAULT_DIR
from domain.decode import Message, decode

DOC = Path(__file__).resolve().parents[2] / "docs" / "contract.md"
NOW = 1_767_225_600_000


def _examples() -> list[dict[str, Any]]:
    blocks = re.findall(r"```json\n(.*?)\n```", DOC.read_text(encoding="utf-8"), flags=re.S)
    return [json.loads(block) for block in blocks]


def _channel(example: dict[str, Any]) -> str:
    if "values" in example:
        return "reading"
    if "type" in example:
        return "event"
    if "name" in example:
        return "command"
    if set(example) == {"state"}:
        return "availability"
    return "status"


def test_the_doc_has_examples_of_every_channel() -> None:
    assert {_channel(e) for e in _examples()} == {
        "reading",
        "event",
        "status",
        "availability",
        "command",
    }


@pytest.mark.parametrize("example", _examples(), ids=lambda e: json.dumps(e)[:50])
def test_example_is_valid(example: dict[str, Any]) -> None:
    channel = _channel(example)
    schema = json.loads((Path(DEFAULT_DIR) / f"{channel}.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(example, schema)
    if channel != "command":
        topic = f"anju/v1/home-1/device-1/{channel}"
        assert isinstance(decode(topic, json.dumps(example).encode(), NOW), Message)


def test_schema_rejects_what_the_decoder_rejects() -> None:
    schema = json.loads((Path(DEFAULT_DIR) / "reading.schema.json").read_text(encoding="utf-8"))
    bad = {"v": 1, "seq": 1, "ts": NOW, "values": {"heart_rate": 900}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
