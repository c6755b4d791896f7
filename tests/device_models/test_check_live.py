"""`anju device check` for real: a throwaway broker and Anju, the samples published, the
pipeline's outcome checked per capability (each run takes a few seconds)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from anju.cli import main
from device_models.conformance import check
from device_models.conformance_report import Verdict

BUTTON = """\
id: test-contract-button
vendor: Test
model: Contract button
kind: sos_button
power: battery
supervision: {heartbeat_s: 3600, offline_after_s: 90000}
match: {topic: "anju/v1/{home}/{device}/{channel}", payload: json}
capabilities:
  - {name: sos, type: sos}
  - {name: battery, type: battery, unit: "%", range: [0, 100], low_below: 15}
  - {name: fall, type: fall_event}
  - {name: ok, type: cancel}
"""


def contract_button(tmp_path: Path, **extra: dict[str, object]) -> tuple[Path, Path]:
    """A model speaking the contract itself (no decoder) and samples stamped now."""
    model = tmp_path / "button.yaml"
    model.write_text(BUTTON)
    samples = tmp_path / "samples"
    (samples / "bad").mkdir(parents=True)
    now = int(time.time() * 1000)
    bodies: dict[str, dict[str, object]] = {
        "event-sos.json": {"type": "sos"},
        "event-fall.json": {"type": "fall"},
        "event-ok.json": {"type": "cancel"},
        "status-low.json": {"battery": 10},
        "bad/out_of_range.status-overfull.json": {"battery": 150},
        **extra,
    }
    for seq, (name, body) in enumerate(bodies.items(), 1):
        (samples / name).write_text(json.dumps({"v": 1, "seq": seq, "ts": now, **body}))
    return model, samples


def test_a_good_model_passes_every_capability_for_real(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model, samples = contract_button(tmp_path)
    started = time.monotonic()
    code = main(["device", "check", str(model), str(samples), "--json"])
    took = time.monotonic() - started
    doc = json.loads(capsys.readouterr().out)
    checks = {(c["name"], k["what"]): k for c in doc["capabilities"] for k in c["checks"]}
    assert doc["verdict"] == "PASS", json.dumps(doc, indent=1)
    assert code == 0
    assert checks[("sos", "alarm")]["detail"].startswith("sos alarm raised, critical")
    assert checks[("fall", "alarm")]["detail"].startswith("fall alarm (critical)")
    assert "technical low_battery alarm" in checks[("battery", "low battery")]["detail"]
    assert checks[("ok", "fall cancelled")]["verdict"] == "PASS"
    assert checks[("supervision", "not early")]["verdict"] == "PASS"
    assert checks[("supervision", "offline")]["detail"].startswith("device_offline")
    assert checks[("rejects", "out_of_range.status-overfull.json live")]["verdict"] == "PASS"
    assert took < 30, f"the check took {took:.1f} s"


def test_a_value_outside_the_declared_range_fails_its_capability_live(tmp_path: Path) -> None:
    # the contract allows a battery of 100 %, the model declares at most 90: the sample is
    # rejected (by the static decode and by ingest alike) and the battery capability fails
    model, samples = contract_button(tmp_path)
    model.write_text(BUTTON.replace("range: [0, 100]", "range: [0, 90]"))
    (samples / "status-full.json").write_text(
        json.dumps({"v": 1, "seq": 99, "ts": int(time.time() * 1000), "battery": 95})
    )
    report = check(model, samples)
    battery = report.outcome("battery")
    assert battery is not None and battery.verdict is Verdict.FAIL, report.to_text()
    sample_checks = report.outcome("samples")
    assert sample_checks is not None
    assert any(
        c.what == "status-full.json" and "outside [0, 90]" in c.detail for c in sample_checks.checks
    ), report.to_text()
    assert report.exit_code == 1


def test_without_mosquitto_the_check_runs_on_the_embedded_broker_apart_from_the_users_anju(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import device_models.conformance_live as live

    monkeypatch.setattr(live, "find_mosquitto", lambda: None)
    # the user's own Anju settings never reach the throwaway one
    monkeypatch.setenv("ANJU_STATE_URL", "postgresql+psycopg://prod@127.0.0.1:1/anju")
    monkeypatch.setenv("ANJU_MQTT_ADMIN_PASSWORD", "the-real-brokers")
    monkeypatch.setenv("ANJU_CONFIG", str(tmp_path / "missing.yaml"))
    model, samples = contract_button(tmp_path)
    report = check(model, samples)
    assert report.broker.startswith("embedded broker on 127.0.0.1:")
    assert report.verdict is Verdict.PASS, report.to_text()
