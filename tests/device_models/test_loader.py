"""Model files: every shipped one loads; every mistake names the file, the line and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from device_models.loader import load_model
from device_models.registry import SHIPPED_MODELS, ModelRegistry
from device_models.spec import ModelError
from domain.model import DeviceKind
from tests.device_models.helpers import model_text, write_decoder, write_model


def test_every_shipped_model_loads_and_covers_every_kind() -> None:
    registry = ModelRegistry([SHIPPED_MODELS])
    assert registry.load() == []
    kinds = {m.kind for m in registry.models()}
    assert kinds == set(DeviceKind)
    ids = {m.id for m in registry.models()}
    for sim_model in ("anju-pendant-p2", "anju-pir-m1", "anju-door-d1", "anju-bedmat-b1",
                      "anju-kitchen-e1", "anju-gateway-g1"):  # fmt: skip
        assert sim_model in ids
    assert {"lumio-ls10", "hx-w4", "somni-r3"} <= ids


def test_a_good_file_gives_typed_values(tmp_path: Path) -> None:
    write_decoder(tmp_path, "return []")
    model = load_model(write_model(tmp_path, limits="limits: {timeout_ms: 50}\n"))
    assert model.id == "test-t1" and model.kind is DeviceKind.MOTION
    assert model.supervision.offline_after_s == 90000
    assert model.limits.timeout_ms == 50 and model.limits.max_payload_bytes == 4096
    temp = model.capability("temperature")
    assert temp is not None and temp.range == (-20.0, 60.0) and temp.care == "environment"
    assert model.battery_low == 15
    assert model.pattern.filter == "test/+/up"
    assert model.decoder_file == tmp_path / "dec.py"


def _error(tmp_path: Path, text: str) -> ModelError:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    write_decoder(tmp_path, "return []")
    with pytest.raises(ModelError) as info:
        load_model(path)
    err = info.value
    assert err.file == str(path)
    assert str(err).startswith(f"{path}:{err.line}: ")
    return err


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "needle", "says", "fix"),
    [
        ("kind: motion", "kind: radar", "kind:", "not one of", "pick one"),
        ("power: battery", "powr: battery", "powr", "unknown key `powr`", "did you mean `power`"),
        ("id: test-t1", "id: Test T1", "id:", "is not [a-z0-9]", "lower-case"),
        ("offline_after_s: 90000", "offline_after_s: 60", "offline_after_s", "shorter", "allow"),
        ('"test/{device}/up"', '"test/{dev}/up"', "topic:", "unknown placeholder", "{device}"),
        ('"test/{device}/up"', '"test/+/up"', "topic:", "not plain text", "no MQTT wildcards"),
        ('"test/{device}/up"', '"test/up"', "topic:", "device id must come", "topic"),
        ("dec:decode", "nowhere:decode", "decoder:", "not found", "beside the model file"),
        ("dec:decode", "dec:missing", "decoder:", "no function 'missing'", "def missing"),
        ("range: [-20, 60]", "range: [60, -20]", "range: [60", "not [low, high]", "range: [0"),
        ("type: motion}", "type: teleport}", "type: teleport", "not one of", "pick one"),
        ("type: motion}", "type: motion, care: panic}", "care: panic", "not one of", "pick"),
        ("low_below: 15", "low_below: 150", "low_below", "not a number in [0, 100]", ""),
        ("  payload: json", "  payload: xml", "payload: xml", "not one of", "pick one"),
        ("heartbeat_s: 3600", "heartbeat_s: soon", "heartbeat_s", "not a number", ""),
    ],
)
def test_mistakes_name_the_line_and_the_fix(  # noqa: PLR0917 - one parameter per column
    tmp_path: Path, old: str, new: str, needle: str, says: str, fix: str
) -> None:
    text = model_text().replace(old, new)
    assert new in text
    err = _error(tmp_path, text)
    assert says in err.message
    assert fix in err.fix
    assert err.line == _line_of(text, needle)


def test_yaml_syntax_error_names_its_line(tmp_path: Path) -> None:
    text = model_text().replace("  heartbeat_s: 3600", "  heartbeat_s: [3600")
    err = _error(tmp_path, text)
    assert "YAML syntax" in err.message and err.line >= _line_of(text, "heartbeat_s")


def test_duplicate_key_and_missing_key(tmp_path: Path) -> None:
    text = model_text() + "kind: door\n"
    err = _error(tmp_path, text)
    assert "appears twice" in err.message and err.line == len(text.splitlines())
    err = _error(tmp_path, model_text().replace("vendor: Test\n", ""))
    assert "has no `vendor`" in err.message and err.fix == "add `vendor:`"


def test_without_a_decoder_the_payload_must_be_the_contract(tmp_path: Path) -> None:
    err = _error(tmp_path, model_text(decoder=None))
    assert "contract's JSON" in err.message and "{channel}" in err.fix
    ok = tmp_path / "ok.yaml"
    ok.write_text(model_text(decoder=None, topic="anju/v1/{home}/{device}/{channel}"), "utf-8")
    assert load_model(ok).decoder is None


def test_a_decoder_that_fails_to_import_is_a_model_error(tmp_path: Path) -> None:
    (tmp_path / "dec.py").write_text("import no_such_module_here\n", encoding="utf-8")
    path = write_model(tmp_path)
    with pytest.raises(ModelError) as info:
        load_model(path)
    assert "fails to import" in info.value.message and "ModuleNotFoundError" in info.value.message


def test_empty_and_non_mapping_files(tmp_path: Path) -> None:
    assert "empty" in _error(tmp_path, "").message
    assert "mapping" in _error(tmp_path, "- a\n- b\n").message
