"""`anju bench models` runs and reports every path against the baseline of the same run."""

from __future__ import annotations

import json

import pytest

from anju.cli import main
from benchmarks.device_models import run


def test_the_benchmark_measures_every_path_against_its_baseline() -> None:
    doc = run(n=400, runs=1)
    assert doc["baseline"]["ratio_to_baseline"] == 1.0
    for name in ("json", "binary", "contract"):
        path = doc[name]
        assert path["msgs_per_s"] > 0 and len(path["runs"]) == 1
        assert path["ratio_to_baseline"] == pytest.approx(
            path["msgs_per_s"] / doc["baseline"]["msgs_per_s"], rel=0.01
        )
    assert doc["guard"]["guarded_us"] > 0


def test_the_command_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "models", "--n", "300", "--runs", "1", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {"baseline", "json", "binary", "contract", "guard"} <= doc.keys()
