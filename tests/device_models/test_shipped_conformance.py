"""Every shipped model passes `anju device check` on its own samples: offline (decode, ranges,
bad samples) for all of them, and for real through a broker and the pipeline for the three
third-party examples (binary, JSON with the id in the payload, a device's own fall events)."""

from __future__ import annotations

import pytest

from broker.mosquitto import find_mosquitto
from device_models.conformance import check
from device_models.conformance_report import Verdict
from device_models.model import DeviceModel
from device_models.registry import SHIPPED_MODELS, ModelRegistry
from tests.conftest import require

SAMPLES = SHIPPED_MODELS.parent / "samples"
_registry = ModelRegistry([SHIPPED_MODELS])
_registry.load()
MODELS = _registry.models()


def _failures(model: DeviceModel, *, live: bool) -> list[str]:
    report = check(model.source, SAMPLES / model.id, live=live)
    assert report.error is None, report.error
    return [f"{o.name}: {o.reason}" for o in report.outcomes if o.verdict is Verdict.FAIL]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.id)
def test_offline_check_of_every_shipped_model_has_no_failure(model: DeviceModel) -> None:
    assert _failures(model, live=False) == []


@pytest.mark.parametrize("model_id", ["lumio-ls10", "hx-w4", "somni-r3"])
def test_live_check_of_the_third_party_examples_passes(model_id: str) -> None:
    require(find_mosquitto() is not None, "mosquitto is not installed")
    model = _registry.get(model_id)
    assert model is not None
    report = check(model.source, SAMPLES / model_id, live=True)
    assert report.verdict is Verdict.PASS, report.as_dict()
