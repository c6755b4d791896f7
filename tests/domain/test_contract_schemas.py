"""The JSON Schema files shipped for integrators are exactly what the code validates."""

from __future__ import annotations

import json
from pathlib import Path

from anju.commands.contract import DEFAULT_DIR, render
from domain.jsonschema import schemas


def test_schema_files_match_the_contract_code() -> None:
    generated = schemas()
    on_disk = {p.name for p in Path(DEFAULT_DIR).glob("*.schema.json")}
    assert on_disk == set(generated), "run `anju contract schemas`"
    for name, doc in generated.items():
        text = (Path(DEFAULT_DIR) / name).read_text(encoding="utf-8")
        assert text == render(doc), f"{name} is stale: run `anju contract schemas`"
        assert json.loads(text)["$schema"].startswith("https://json-schema.org/")
