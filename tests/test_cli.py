"""The `anju` command: every sub-command module loads and every command has help."""

from __future__ import annotations

import pytest

from anju import cli


def test_every_command_module_loads() -> None:
    cli.BROKEN.clear()
    cli.build_parser()
    assert cli.BROKEN == {}


def test_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for name in ("serve", "demo", "ingest", "bench", "contract"):
        assert name in out
