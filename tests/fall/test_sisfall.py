"""On real falls (SisFall, skipped where ../shared/data is absent): reproducible training, the
commands' reports, orientation invariance and the generic recording-folder evaluation."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from anju.commands.fall import COMMANDS
from detectors.fall.metrics import random_rotation
from detectors.fall.model import load
from detectors.fall.pipeline import analyse
from detectors.fall.signal import STANDARD_G
from detectors.fall.sisfall import FS, Trial, trials

pytestmark = pytest.mark.sisfall
Array = NDArray[np.float64]


def _run(*argv: str) -> tuple[int, str]:
    """Run one of `anju.commands.fall`'s commands as the CLI would (only its own parser, so
    another module's half-built command cannot break these tests)."""
    [command] = [c for c in COMMANDS if c.path == tuple(argv[:2])]
    parser = argparse.ArgumentParser(prog="anju " + " ".join(argv[:2]))
    command.configure(parser)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = command.run(parser.parse_args(list(argv[2:])))
    return code, out.getvalue()


def test_training_is_reproducible(sisfall_path: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    for out in (a, b):
        code, _ = _run(
            "train",
            "fall",
            "--sisfall",
            str(sisfall_path),
            "--seed",
            "3",
            "--subjects",
            "SA02,SE06",
            "--trees",
            "30",
            "--out",
            str(out),
        )
        assert code == 0
    assert a.read_bytes() == b.read_bytes()
    assert load(a).meta["seed"] == 3


def test_subject_wise_cv_reports_model_and_baseline(sisfall_path: Path) -> None:
    code, text = _run(
        "eval",
        "fall",
        "--sisfall",
        str(sisfall_path),
        "--json",
        "--folds",
        "2",
        "--subjects",
        "SA01,SA03,SE06,SE01",
        "--trees",
        "40",
    )
    assert code == 0
    doc = json.loads(text)
    for part in ("model", "threshold_baseline"):
        r = doc[part]
        assert 220 <= r["falls"] <= 225 and r["rejected"] == {}  # 3 subjects x 15 types x 5
        assert r["adls"] > 150 and r["se_adls"] > 80
        assert set(r["per_fall_type"]) == {f"F{i:02d}" for i in range(1, 16)}
        assert "D14" in r["per_activity"] and r["false_alarms_per_hour"] is not None
    assert doc["model"]["sensitivity"] > doc["threshold_baseline"]["sensitivity"]
    confirmed = doc["model_confirmed"]  # an alarm needs a window above the threshold first
    assert confirmed["falls"] == doc["model"]["falls"]
    assert confirmed["sensitivity"] <= doc["model"]["sensitivity"]
    assert confirmed["specificity"] >= doc["model"]["specificity"]
    assert len(doc["threshold_baseline"]["thresholds_g"]) == 2


def _alarms(items: list[Trial], rotate: bool) -> dict[str, bool]:
    model = load()
    rng = np.random.default_rng(11)
    out = {}
    for tr in items:
        a = tr.accel_g @ random_rotation(rng).T if rotate else tr.accel_g
        out[tr.key] = analyse(a, model, fs=FS).fall
    return out


def test_random_rotation_changes_sensitivity_and_specificity_by_under_001(
    sisfall_path: Path,
) -> None:
    items = list(trials(sisfall_path, {"SA07", "SE06", "SE09"}))
    plain, turned = _alarms(items, False), _alarms(items, True)
    falls = [t.key for t in items if t.fall]
    adls = [t.key for t in items if not t.fall]
    assert len(falls) > 100 and len(adls) > 100
    for keys in (falls, adls):
        assert abs(np.mean([plain[k] for k in keys]) - np.mean([turned[k] for k in keys])) < 0.01


def _write(folder: Path, name: str, t: Array, a: Array) -> None:
    rows = "\n".join(
        f"{ti:.5f},{x:.5f},{y:.5f},{z:.5f}" for ti, (x, y, z) in zip(t, a, strict=True)
    )
    (folder / name).write_text("t,ax,ay,az\n" + rows + "\n", encoding="utf-8")


def _at_rate(accel: Array, fs: int, rng: np.random.Generator) -> tuple[Array, Array]:
    """What a slower sensor records: block averages (its own filter), slightly jittered times."""
    k = int(FS) // fs
    n = accel.shape[0] // k
    a = accel[: n * k].reshape(n, k, 3).mean(axis=1)
    t = np.arange(n) / fs + rng.uniform(-0.05, 0.05, n) / fs
    return t - t[0], a


def test_recording_folder_at_other_rates_and_orientations(
    sisfall_path: Path, tmp_path: Path
) -> None:
    rng = np.random.default_rng(4)
    chosen = [t for t in trials(sisfall_path, {"SA11", "SE08"}) if t.key.endswith("_R01")]
    lines = ["file,label,subject"]
    for i, tr in enumerate(chosen):
        fs = (20, 25, 40, 100, 200)[i % 5]
        t, a = _at_rate(tr.accel_g @ random_rotation(rng).T, fs, rng)
        name = f"{tr.subject}_{tr.code}_{fs}hz.csv"
        _write(tmp_path, name, t, a)
        lines.append(f"{name},{'fall' if tr.fall else 'adl'},{tr.subject}")
    good = len(chosen)
    base_t, base_a = _at_rate(chosen[0].accel_g, 50, rng)
    _write(tmp_path, "ms2.csv", base_t, base_a * STANDARD_G)
    nan_a = base_a.copy()
    nan_a[10, 2] = np.nan
    _write(tmp_path, "nan.csv", base_t, nan_a)
    _write(tmp_path, "gap.csv", np.concatenate([base_t[:100], base_t[100:] + 2]), base_a)
    _write(tmp_path, "short.csv", base_t[:60], base_a[:60])
    _write(tmp_path, "fast.csv", base_t / 10, base_a)
    (tmp_path / "header.csv").write_text("time,x,y,z\n0,0,0,1\n", encoding="utf-8")
    bad = ["ms2.csv", "nan.csv", "gap.csv", "short.csv", "fast.csv", "header.csv", "absent.csv"]
    lines += [f"{name},adl,x" for name in bad] + ["nan.csv,maybe,x"]
    (tmp_path / "labels.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    code, text = _run("eval", "fall", str(tmp_path), "--json")
    assert code == 0
    doc = json.loads(text)
    assert doc["recordings"] == good + len(bad) + 1
    assert doc["falls"] + doc["adls"] == good
    assert doc["rejected"] == {
        "wrong_units": 1,
        "not_finite": 1,
        "gap": 1,
        "too_short": 1,
        "bad_rate": 1,
        "bad_header": 1,
        "unreadable": 1,
        "bad_label": 1,
    }
    assert doc["sensitivity"] >= 0.9 and doc["specificity"] >= 0.9
    rows = {r["file"]: r for r in doc["per_recording"]}
    assert rows["ms2.csv"]["problem"] == "wrong_units" and "m/s^2" in rows["ms2.csv"]["detail"]
    assert {round(r["source_fs"]) for r in rows.values() if r["problem"] is None} == {
        20,
        25,
        40,
        100,
        200,
    }
    code, text = _run("eval", "fall", str(tmp_path), "--json", "--convert-ms2")
    assert json.loads(text)["rejected"].get("wrong_units") is None
