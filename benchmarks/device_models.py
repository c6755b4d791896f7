"""Decode through a device model, messages per second on one thread (issue 9: >= 50,000 each).

Three model paths on the same information, against the baseline of Anju's plain contract decode
(`domain.decode.decode`: msgspec into the contract's structs, clock checks) measured in the same
run, interleaved, median of `runs`:
- json: the HX-W4 wristband's own JSON (GPS, pulse, steps, battery) -> its decoder -> contract
  structs, validated against the contract and the model's declared ranges;
- binary: the Lumio LS-10 LoRa frame (8 bytes) -> its decoder -> the same;
- contract: a contract JSON reading through Anju's pendant model (no decoder, capability and
  range checks on top of the plain decode).
Each model path includes finding the model by topic (`registry.match`) and the watchdog that
enforces the decoder's time limit; `guard` reports what that watchdog costs per call.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from device_models.decoders.lumio_lora import PERIODIC, encode
from device_models.registry import ModelRegistry
from device_models.sandbox import WATCHDOG
from device_models.spec import DecodeContext
from domain.decode import Message, decode

NOW_MS = 1_767_225_600_000
GOAL = 50_000


def _messages(n: int) -> dict[str, list[tuple[str, bytes]]]:
    wrist, lora, contract_json, baseline = [], [], [], []
    for i in range(n):
        hr, steps, battery = 55 + i % 60, i % 20_000, 20 + i % 80
        lat, lon, temp = 22.0 + (i % 1000) / 1e4, 100.8 + (i % 700) / 1e4, 15.0 + (i % 200) / 10
        band = {
            "imei": f"8651230{i % 1000:08d}",
            "type": "loc",
            "t": NOW_MS // 1000,
            "gps": {"lat": lat, "lng": lon, "acc": 12},
            "hr": hr,
            "step": steps,
            "bat": battery,
        }
        wrist.append(("hx/w4/up", json.dumps(band).encode()))
        frame = encode(PERIODIC, motion=False, battery=battery, temp_c=temp, humidity=50, counter=i)
        lora.append((f"lumio/ls10/lora-{i % 1000}/up", frame))
        values = {"heart_rate": hr, "steps": steps, "lat": lat, "lon": lon, "accuracy_m": 12}
        reading = {"v": 1, "seq": i, "ts": NOW_MS, "values": values}
        contract_json.append(
            (f"anju/v1/h{i % 100}/p{i % 1000}/reading", json.dumps(reading).encode())
        )
        baseline.append(contract_json[-1])
    return {"json": wrist, "binary": lora, "contract": contract_json, "baseline": baseline}


def _rate(fn: Callable[[str, bytes], object], items: list[tuple[str, bytes]]) -> float:
    """Messages per second of this thread's CPU time: "per core", and less at the mercy of other
    processes on a shared machine than wall time (which `anju bench models` also shows)."""
    started = time.thread_time()
    for topic, payload in items:
        fn(topic, payload)
    return len(items) / (time.thread_time() - started)


def run(n: int = 50_000, runs: int = 5) -> dict[str, Any]:
    registry = ModelRegistry()
    errors = registry.load()
    if errors:
        raise RuntimeError(f"shipped models do not load: {errors[0]}")
    pendant = registry.get("anju-pendant-p2")
    assert pendant is not None
    messages = _messages(n)

    def through_model(topic: str, payload: bytes) -> object:
        found = registry.match(topic)
        assert found is not None
        out = found[0].decode(topic, payload, NOW_MS, topic_vars=found[1])
        if not isinstance(out, list):
            raise AssertionError(f"{topic}: {out}")
        return out

    def through_contract_model(topic: str, payload: bytes) -> object:
        out = pendant.decode(topic, payload, NOW_MS)
        if not isinstance(out, list):
            raise AssertionError(f"{topic}: {out}")
        return out

    def plain(topic: str, payload: bytes) -> object:
        out = decode(topic, payload, NOW_MS)
        if not isinstance(out, Message):
            raise AssertionError(f"{topic}: {out}")
        return out

    paths: dict[str, Callable[[str, bytes], object]] = {
        "baseline": plain,
        "json": through_model,
        "binary": through_model,
        "contract": through_contract_model,
    }
    rates: dict[str, list[float]] = {name: [] for name in paths}
    for name, fn in paths.items():  # warm-up
        _rate(fn, messages[name][:2000])
    wall_started = time.perf_counter()
    cpu_started = time.thread_time()
    for _ in range(runs):
        for name, fn in paths.items():
            rates[name].append(_rate(fn, messages[name]))
    cpu_share = (time.thread_time() - cpu_started) / (time.perf_counter() - wall_started)
    median = {name: statistics.median(r) for name, r in rates.items()}
    base = median["baseline"]
    doc: dict[str, Any] = {
        "n": n,
        "runs": runs,
        "goal_msgs_per_s": GOAL,
        "clock": "thread CPU time",
        "cpu_share_of_wall": round(cpu_share, 3),  # < 1: other processes took the core meanwhile
    }
    for name in paths:
        doc[name] = {
            "msgs_per_s": round(median[name]),
            "runs": [round(r) for r in rates[name]],
            "ratio_to_baseline": round(median[name] / base, 3),
        }
    for name in ("json", "binary"):
        doc[name]["meets_goal"] = median[name] >= GOAL
    doc["guard"] = _guard_cost(messages["binary"], registry)
    return doc


def _guard_cost(items: list[tuple[str, bytes]], registry: ModelRegistry) -> dict[str, float]:
    """The LoRa decoder called directly and through the watchdog: µs per call, medians of 3."""
    model = registry.get("lumio-ls10")
    assert model is not None and model.decoder is not None
    decoder = model.decoder
    direct: list[float] = []
    guarded: list[float] = []
    ctx = DecodeContext("lora-1", "lumio/ls10/lora-1/up", NOW_MS)
    for _ in range(3):
        started = time.thread_time()
        for _topic, payload in items:
            decoder(payload, ctx)
        direct.append((time.thread_time() - started) / len(items) * 1e6)
        started = time.thread_time()
        for _topic, payload in items:
            WATCHDOG.call(0.02, decoder, payload, ctx)
        guarded.append((time.thread_time() - started) / len(items) * 1e6)
    d, g = statistics.median(direct), statistics.median(guarded)
    return {"decoder_us": round(d, 3), "guarded_us": round(g, 3), "overhead_us": round(g - d, 3)}
