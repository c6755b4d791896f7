"""Every shipped model decodes its good samples, rejects each bad one with the reason its name
gives, and every capability it declares shows up in a good sample."""

from __future__ import annotations

from pathlib import Path

import pytest

from device_models.model import DeviceModel
from device_models.registry import SHIPPED_MODELS, ModelRegistry
from device_models.spec import CONTRACT_FIELDS
from domain import contract
from domain.decode import Message
from domain.rejects import Reason, Rejected

SAMPLES = SHIPPED_MODELS.parent / "samples"
SAMPLE_TIME_MS = 1_767_225_600_000 + 600_000  # samples carry device time 2026-01-01T00:00Z (+s)
CHANNELS = ("reading", "event", "status", "availability")

_registry = ModelRegistry([SHIPPED_MODELS])
_registry.load()
MODELS = _registry.models()


def payload_of(path: Path) -> bytes:
    if path.suffix != ".hex":
        return path.read_bytes()
    text = " ".join(line.split("#", 1)[0] for line in path.read_text().splitlines())
    return bytes.fromhex("".join(text.split()))


def topic_for(model: DeviceModel, path: Path) -> str:
    values = {"home": "home-1", "device": "dev-1"}
    if "channel" in model.pattern.names:
        name = path.name.split(".", 1)[1] if path.parent.name == "bad" else path.name
        values["channel"] = next(c for c in CHANNELS if name.startswith(c))
    return model.pattern.render(**values)


def decode_sample(model: DeviceModel, path: Path) -> list[Message] | Rejected:
    return model.decode(topic_for(model, path), payload_of(path), SAMPLE_TIME_MS)


def _files(model: DeviceModel, bad: bool) -> list[Path]:
    folder = SAMPLES / model.id / "bad" if bad else SAMPLES / model.id
    return sorted(p for p in folder.glob("*") if p.is_file())


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.id)
def test_good_samples_decode(model: DeviceModel) -> None:
    files = _files(model, bad=False)
    assert files, f"no samples for {model.id}"
    for path in files:
        result = decode_sample(model, path)
        assert not isinstance(result, Rejected), f"{path.name}: {result}"
        assert result


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.id)
def test_bad_samples_are_rejected_with_the_reason_in_their_name(model: DeviceModel) -> None:
    files = _files(model, bad=True)
    assert files, f"no bad samples for {model.id}"
    for path in files:
        expected = Reason(path.name.split(".", 1)[0])
        result = decode_sample(model, path)
        assert isinstance(result, Rejected), f"{path.name} was accepted: {result}"
        assert result.reason is expected, f"{path.name}: {result}"


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.id)
def test_every_capability_is_in_a_good_sample(model: DeviceModel) -> None:
    seen: set[tuple[str, str]] = set()
    for path in _files(model, bad=False):
        result = decode_sample(model, path)
        assert not isinstance(result, Rejected)
        for message in result:
            body = message.body
            if isinstance(body, contract.Reading):
                values = body.values
                seen |= {("values", f) for f in values.__struct_fields__ if getattr(values, f)}
            elif isinstance(body, contract.Status) and body.battery is not None:
                seen.add(("status", "battery"))
            elif not isinstance(body, contract.Status | contract.Availability):
                seen.add(("event", type(body).__struct_config__.tag))  # type: ignore[arg-type]
    missing = [c.name for c in model.capabilities if not set(CONTRACT_FIELDS[c.type]) & seen]
    assert not missing, f"{model.id}: no good sample shows {missing}"
