"""`anju device check` without the live run: loading, decoding samples, verdicts, the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from anju.cli import main
from device_models.conformance import check
from device_models.conformance_report import Verdict

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "qingmai-b2"


def copy_example(tmp_path: Path) -> Path:
    folder = tmp_path / "qingmai-b2"
    shutil.copytree(EXAMPLE, folder)
    return folder


def test_the_example_model_decodes_every_sample_and_rejects_the_bad_ones() -> None:
    report = check(EXAMPLE / "qingmai-b2.yaml", EXAMPLE / "samples", live=False)
    assert report.error is None
    verdicts = {o.name: o.verdict for o in report.outcomes}
    assert verdicts == {
        "pulse": Verdict.PASS,
        "spo2": Verdict.PASS,
        "steps": Verdict.PASS,
        "battery": Verdict.PASS,
        "sos_key": Verdict.PASS,
        "ok_key": Verdict.PASS,
        "samples": Verdict.PASS,
        "rejects": Verdict.PASS,
    }
    rejects = report.outcome("rejects")
    assert rejects is not None
    details = {c.what: c.detail for c in rejects.checks}
    artefact = details["out_of_range.pulse-artefact.json"]
    assert "heart_rate=241" in artefact and "outside [30, 220]" in artefact
    assert details["decoder.truncated.json"].startswith("rejected: decoder:")
    assert report.exit_code == 0


def test_a_decoder_returning_an_out_of_range_value_fails_that_capability(tmp_path: Path) -> None:
    folder = copy_example(tmp_path)
    decoder = folder / "qingmai_b2.py"
    # a plausible integrator's bug: the gateway's battery is in tenths of a percent
    text = decoder.read_text().replace('float(msg["bat"])', 'float(msg["bat"]) * 10')
    decoder.write_text(text)
    report = check(folder / "qingmai-b2.yaml", folder / "samples", live=False)
    battery = report.outcome("battery")
    assert battery is not None and battery.verdict is Verdict.FAIL
    assert "the decoder returned 810.0, outside the declared range [0, 100]" in battery.reason
    # every sample carried a battery value, so the pulse went unchecked (and says why)
    pulse = report.outcome("pulse")
    assert pulse is not None and pulse.verdict is Verdict.NOT_COVERED
    assert (
        "vitals-rest.json: heart_rate=68.0 went unchecked, the sample was rejected" in pulse.reason
    )
    assert report.verdict is Verdict.FAIL and report.exit_code == 1


def test_a_broken_model_file_names_file_line_and_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy_example(tmp_path)
    model = folder / "qingmai-b2.yaml"
    lines = model.read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.startswith("placement:"))
    lines[line - 1] = "placment: wrist"  # a typo
    model.write_text("\n".join(lines) + "\n")
    code = main(["device", "check", str(model), str(folder / "samples")])
    out = capsys.readouterr().out
    assert code == 2
    assert f"{model}:{line}: unknown key `placment`" in out
    assert "did you mean `placement`?" in out


def test_json_output_is_valid_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "device",
            "check",
            str(EXAMPLE / "qingmai-b2.yaml"),
            str(EXAMPLE / "samples"),
            "--json",
            "--no-live",
        ]
    )
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    assert doc["verdict"] == "PASS" and doc["model"] == "qingmai-b2"
    by_name = {c["name"]: c for c in doc["capabilities"]}
    assert by_name["battery"]["type"] == "battery"
    assert by_name["battery"]["checks"][0]["verdict"] == "PASS"


def test_a_bad_sample_the_model_accepts_fails_the_rejects(tmp_path: Path) -> None:
    folder = copy_example(tmp_path)
    shutil.copy(
        folder / "samples" / "vitals-rest.json", folder / "samples" / "bad" / "decoder.x.json"
    )
    report = check(folder / "qingmai-b2.yaml", folder / "samples", live=False)
    rejects = report.outcome("rejects")
    assert rejects is not None and rejects.verdict is Verdict.FAIL
    assert "accepted, expected rejection `decoder`" in rejects.reason


def test_a_capability_without_samples_is_not_covered(tmp_path: Path) -> None:
    folder = copy_example(tmp_path)
    (folder / "samples" / "key-sos.json").unlink()
    report = check(folder / "qingmai-b2.yaml", folder / "samples", live=False)
    sos = report.outcome("sos_key")
    assert sos is not None and sos.verdict is Verdict.NOT_COVERED
    assert "no sample exercises it" in sos.reason
    assert report.exit_code == 1


def test_a_bad_sample_must_name_its_reason(tmp_path: Path) -> None:
    folder = copy_example(tmp_path)
    (folder / "samples" / "bad" / "broken.json").write_text("{")
    report = check(folder / "qingmai-b2.yaml", folder / "samples", live=False)
    assert report.exit_code == 2
    assert report.error is not None and "starts with the reason" in report.error
