"""The registry: load, match, and reload on change (edit, add, broken edit, delete) by polling
modification times on the injected clock, without a restart."""

from __future__ import annotations

import os
from pathlib import Path

from device_models.registry import SHIPPED_MODELS, ModelRegistry
from domain.clock import ManualClock
from tests.device_models.helpers import model_text, write_decoder, write_model


def _touch_later(path: Path, text: str) -> None:
    """Rewrite a file so its mtime surely moves (coarse file-system clocks)."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 2_000_000_000, before + 2_000_000_000))


def _registry(tmp_path: Path) -> tuple[ModelRegistry, ManualClock]:
    clock = ManualClock()
    registry = ModelRegistry([SHIPPED_MODELS, tmp_path], clock=clock, poll_s=2.0)
    return registry, clock


def test_match_finds_the_model_and_the_placeholders(tmp_path: Path) -> None:
    registry, _ = _registry(tmp_path)
    assert registry.load() == []
    found = registry.match("lumio/ls10/AB12/up")
    assert found is not None and found[0].id == "lumio-ls10" and found[1] == {"device": "ab12"}
    assert registry.match("lumio/ls10/AB12/down") is None
    assert registry.match("somni/h1/r1/events") is not None
    assert "lumio/ls10/+/up" in registry.filters()
    assert not any(f.startswith("anju/") for f in registry.filters())


def test_edit_add_broken_edit_and_delete_are_picked_up_without_restart(tmp_path: Path) -> None:
    write_decoder(tmp_path, "return [{'channel': 'status'}]")
    path = write_model(tmp_path)
    registry, clock = _registry(tmp_path)
    changes: list[int] = []
    registry.on_change(lambda r: changes.append(len(r)))
    assert registry.load() == []
    shipped = len(registry) - 1
    model = registry.get("test-t1")
    assert model is not None and model.supervision.heartbeat_s == 3600

    # an edit: seen at the next poll, not before poll_s has passed
    _touch_later(path, model_text().replace("heartbeat_s: 3600", "heartbeat_s: 600"))
    assert registry.poll() is False
    clock.advance(2.0)
    assert registry.poll() is True
    edited = registry.get("test-t1")
    assert edited is not None and edited.supervision.heartbeat_s == 600

    # a new file
    write_model(tmp_path, "t2.yaml", model_id="test-t2", topic="t2/{device}/up")
    clock.advance(2.0)
    assert registry.poll() is True and registry.get("test-t2") is not None
    found = registry.match("t2/x/up")
    assert found is not None and found[0].id == "test-t2"

    # a broken edit keeps the version that worked, and says why (file, line, fix)
    _touch_later(path, model_text().replace("kind: motion", "kind: radar"))
    clock.advance(2.0)
    assert registry.poll() is True
    kept = registry.get("test-t1")
    assert kept is not None and kept.supervision.heartbeat_s == 600
    (error,) = registry.errors
    assert error.file == str(path.resolve()) and error.line == 4 and "radar" in str(error)
    clock.advance(2.0)
    assert registry.poll() is False and len(registry.errors) == 1  # not reported again
    assert registry.error_total == 1

    # fixed again
    _touch_later(path, model_text())
    clock.advance(2.0)
    assert registry.poll() is True and registry.errors == []

    # a decoder edit reloads the models that use it
    decoder = tmp_path / "dec.py"
    _touch_later(decoder, decoder.read_text().replace("'status'", "'reading', 'values': {}"))
    clock.advance(2.0)
    assert registry.poll() is True
    reloaded = registry.get("test-t1")
    assert reloaded is not None
    assert reloaded.decode("test/d1/up", b"", 1_767_225_600_000)[0].topic.channel == "reading"  # type: ignore[index]

    # deleted
    (tmp_path / "t2.yaml").unlink()
    clock.advance(2.0)
    assert registry.poll() is True and registry.get("test-t2") is None
    assert len(registry) == shipped + 1
    assert changes and changes[-1] == shipped + 1


def test_a_broken_new_file_never_stops_the_others(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("id: [\n", encoding="utf-8")
    write_decoder(tmp_path, "return []")
    write_model(tmp_path, model_id="lumio-ls10", name="dup.yaml")  # an id already taken
    registry, _ = _registry(tmp_path)
    errors = registry.load()
    assert len(errors) == 2
    assert any("YAML syntax" in e.message for e in errors)
    dup = next(e for e in errors if "already used" in e.message)
    assert dup.line == 1 and dup.file.endswith("dup.yaml")
    assert registry.get("anju-pendant-p2") is not None
    found = registry.get("lumio-ls10")
    assert found is not None and found.source.parent == SHIPPED_MODELS / "examples"


def test_contract_topics_match_no_model_the_device_record_says_which() -> None:
    registry = ModelRegistry([SHIPPED_MODELS])
    registry.load()
    assert registry.match("anju/v1/h1/p1/event") is None
    assert registry.get("anju-pendant-p2") is not None
