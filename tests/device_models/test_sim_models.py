"""The shipped models of Anju's own devices accept everything firmware_sim's devices send in a
simulated day (so a model file cannot drift from the devices it describes)."""

from __future__ import annotations

from collections import Counter

from device_models.registry import SHIPPED_MODELS, ModelRegistry
from domain.rejects import Rejected
from tests.firmware_sim.helpers import simulate


def test_a_simulated_day_passes_through_the_shipped_models() -> None:
    registry = ModelRegistry([SHIPPED_MODELS])
    assert registry.load() == []
    _, sink, homes = simulate(3, 86400.0, seed=7)
    model_of = {d.device_id: d.model for home in homes for d in home.devices}
    used: Counter[str] = Counter()
    for sent in sink.sent:
        device_id = sent.topic.split("/")[3]
        model = registry.get(model_of[device_id])
        assert model is not None, model_of[device_id]
        result = model.decode(sent.topic, sent.payload, int(sent.t * 1000))
        assert not isinstance(result, Rejected), (model.id, result, sent.payload[:200])
        used[model.id] += 1
    assert set(used) >= {
        "anju-pendant-p2",
        "anju-pir-m1",
        "anju-door-d1",
        "anju-bedmat-b1",
        "anju-kitchen-e1",
        "anju-gateway-g1",
    }
