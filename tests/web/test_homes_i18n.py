"""Every word the board's page and scripts use is in web/i18n.py, in Chinese and in English."""

from __future__ import annotations

import re
from pathlib import Path

from web.i18n import STRINGS

WEB = Path(__file__).resolve().parents[2] / "web"
SCRIPTS = sorted((WEB / "static").glob("board*.js"))
KEY = r"""(?:\bT\.([a-z_0-9]+)|\bT\[["']([a-z_.0-9]+)["']\]|\btr\(["']([a-z_.0-9]+)["'])"""
PAGE_KEY = r"""\bt\[["']([a-z_.0-9]+)["']\]|\bt\.([a-z_0-9]+)"""


def used_keys() -> set[str]:
    keys: set[str] = set()
    for path in SCRIPTS:
        for groups in re.findall(KEY, path.read_text(encoding="utf-8")):
            keys.update(g for g in groups if g)
    page = (WEB / "templates" / "board.html").read_text(encoding="utf-8")
    for groups in re.findall(PAGE_KEY, page):
        keys.update(g for g in groups if g)
    return keys


def test_both_languages_have_the_same_non_empty_keys() -> None:
    assert STRINGS["zh"].keys() == STRINGS["en"].keys()
    for lang, table in STRINGS.items():
        assert all(v.strip() for v in table.values()), lang


def test_every_key_the_board_uses_exists() -> None:
    keys = used_keys()
    assert len(keys) > 80  # the pattern still finds them
    missing = sorted(k for k in keys if k not in STRINGS["zh"])
    assert missing == []


def test_the_option_lists_of_the_detail_panel_are_translated() -> None:
    text = (WEB / "static" / "board_detail.js").read_text(encoding="utf-8")
    for name, prefix in (("CALLEES", "callee"), ("RESULTS", "result"), ("OUTCOMES", "outcome")):
        values = re.search(rf"const {name} = \[([^\]]+)\]", text)
        assert values is not None, name
        for value in re.findall(r'"([a-z_]+)"', values.group(1)):
            assert f"{prefix}.{value}" in STRINGS["en"], f"{prefix}.{value}"
