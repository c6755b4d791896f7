"""docs/integrators.md cannot rot: its files are the shipped example's, its sample scripts make
the shipped samples, and following it in an empty folder passes `anju device check` for real."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "integrators.md"
EXAMPLE = REPO / "docs" / "examples" / "qingmai-b2"
_BLOCK = r"<!-- {kind}: (?P<name>[^>]+?) -->\n```[a-z]*\n(?P<body>.*?)```"


def blocks(kind: str) -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    found = re.finditer(_BLOCK.format(kind=kind), text, re.DOTALL)
    return {m.group("name"): m.group("body") for m in found}


def follow(tmp_path: Path) -> Path:
    """Steps 2 to 5 as a new user does them: a folder, the two files, the sample scripts."""
    folder = tmp_path / "my-models" / "qingmai-b2"
    (folder / "samples" / "bad").mkdir(parents=True)
    for name, body in blocks("file").items():
        (folder / Path(name).name).write_text(body, encoding="utf-8")
    for script in blocks("script").values():
        subprocess.run(["bash", "-e", "-c", script], cwd=folder, check=True)
    return folder


def anju(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "anju.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_files_shown_are_the_shipped_example() -> None:
    shown = blocks("file")
    assert set(shown) == {
        "docs/examples/qingmai-b2/qingmai-b2.yaml",
        "docs/examples/qingmai-b2/qingmai_b2.py",
    }
    for name, body in shown.items():
        assert body == (REPO / name).read_text(encoding="utf-8"), f"{name} differs from the doc"


def test_the_sample_scripts_make_the_shipped_samples(tmp_path: Path) -> None:
    folder = follow(tmp_path)
    made = sorted(p.relative_to(folder) for p in (folder / "samples").rglob("*") if p.is_file())
    shipped = sorted(
        p.relative_to(EXAMPLE) for p in (EXAMPLE / "samples").rglob("*") if p.is_file()
    )
    assert made == shipped
    for rel in made:
        assert (folder / rel).read_bytes() == (EXAMPLE / rel).read_bytes(), rel


def test_following_the_tutorial_passes_the_check_for_real(tmp_path: Path) -> None:
    folder = follow(tmp_path)
    done = anju("device", "check", "qingmai-b2.yaml", "samples", cwd=folder)
    assert done.returncode == 0, done.stdout + done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("overall: PASS (9 PASS)"), done.stdout
    for line in (
        "PASS         rejects      [bad samples]",
        "    PASS         alarm: sos alarm raised, critical, 1 press(es)",
        "    PASS         offline: device_offline (technical) after 3601 s of silence",
    ):
        assert line in done.stdout  # lines the tutorial shows


def test_the_typo_shown_fails_as_shown(tmp_path: Path) -> None:
    folder = follow(tmp_path)
    model = folder / "qingmai-b2.yaml"
    model.write_text(model.read_text().replace("placement:", "placment:"))
    done = anju("device", "check", "qingmai-b2.yaml", "samples", cwd=folder)
    assert done.returncode == 2
    shown = re.search(r"^error: qingmai-b2\.yaml:\d+: .*$", DOC.read_text(), re.MULTILINE)
    assert shown is not None and shown.group(0) in done.stdout


@pytest.mark.parametrize("link", ["device-models.md", "contract.md", "provisioning.md"])
def test_the_references_exist(link: str) -> None:
    assert f"]({link})" in DOC.read_text()
    assert (DOC.parent / link).exists(), f"docs/{link} is linked from docs/integrators.md"


def test_the_example_is_self_contained(tmp_path: Path) -> None:
    """The shipped folder works copied anywhere (no path back into the checkout)."""
    copy = tmp_path / "elsewhere"
    shutil.copytree(EXAMPLE, copy)
    done = anju("device", "check", "qingmai-b2.yaml", "samples", "--no-live", cwd=copy)
    assert done.returncode == 0, done.stdout + done.stderr
