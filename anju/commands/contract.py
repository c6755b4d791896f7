"""`anju contract schemas`: write the JSON Schema files generated from domain.contract."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import domain
from anju.cli import Command
from domain.jsonschema import SCHEMA_DIR_NAME, schemas

DEFAULT_DIR = Path(domain.__file__).parent / SCHEMA_DIR_NAME


def render(doc: object) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_DIR, help="folder (default: domain/schemas)"
    )


def _run(args: argparse.Namespace) -> int:
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for name, doc in schemas().items():
        path = out / name
        path.write_text(render(doc), encoding="utf-8")
        print(path)
    return 0


COMMANDS = [
    Command(("contract", "schemas"), "write the contract's JSON Schema files", _configure, _run)
]
