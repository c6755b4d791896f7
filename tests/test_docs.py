"""Docs stay in step with the code: every setting is documented, every linked doc exists."""

from __future__ import annotations

import re
from pathlib import Path

from anju.settings import Settings

REPO = Path(__file__).resolve().parents[1]


def test_every_setting_is_in_the_operations_doc() -> None:
    text = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`ANJU_([A-Z0-9_]+)`", text))
    assert {name.upper() for name in Settings.model_fields} <= documented


def test_readme_links_resolve() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#]+)\)", text):
        if not target.startswith("http"):
            assert (REPO / target).exists(), target
