"""Firmware state: sequence numbers across reboots, drifting clocks, batteries (pure, fast)."""

from __future__ import annotations

from pathlib import Path

import msgspec
import numpy as np

from domain import contract
from domain.decode import Message, decode
from domain.model import Device, DeviceKind
from firmware_sim import models
from firmware_sim.firmware import SEQ_BLOCK, Firmware, SeqStore

T0 = 1_767_225_600.0


def _pendant(store: SeqStore, seed: int = 1) -> Firmware:
    device = Device("h1-pendant", "h1", DeviceKind.PENDANT, models.PENDANT.model)
    return Firmware(device, models.PENDANT, store, T0, np.random.default_rng(seed))


def test_sequence_survives_reboot_and_process_restart(tmp_path: Path) -> None:
    path = tmp_path / "seq.json"
    store = SeqStore(path)
    fw = _pendant(store)
    first = [fw.next_seq() for _ in range(100)]
    assert first == list(range(100))
    fw.boot(T0 + 10, np.random.default_rng(2))
    after_reboot = fw.next_seq()
    assert after_reboot > first[-1]
    assert after_reboot - first[-1] <= SEQ_BLOCK + 1  # a gap, never a reuse
    store.flush()
    again = _pendant(SeqStore(path))  # a new process reading the same "flash"
    assert again.next_seq() > after_reboot


def test_clock_drifts_and_reboot_resyncs() -> None:
    fw = _pendant(SeqStore(), seed=3)
    fw.drift = 50.0  # ppm
    fw.offset_ms = 0.0
    day_later = T0 + 86400
    assert fw.ts(day_later) - int(day_later * 1000) == 4320  # 50 ppm of a day
    fw.boot(day_later, np.random.default_rng(4))
    assert abs(fw.ts(day_later) - int(day_later * 1000)) < 1000


def test_battery_drains_at_the_model_rate() -> None:
    fw = _pendant(SeqStore())
    fw.battery = 100.0
    level = fw.battery_at(T0 + 3 * 86400, T0)
    assert level is not None
    assert abs(level - (100 - 300 / models.PENDANT.battery_days)) < 1e-6  # type: ignore[operator]


def test_payloads_are_contract_v1() -> None:
    fw = _pendant(SeqStore())
    now_ms = int(T0 * 1000)
    messages = [
        fw.reading(T0, contract.Values(heart_rate=72, steps=10)),
        fw.event(T0, contract.Sos),
        fw.event(T0, contract.Motion, state=True),
        fw.status(T0, -70),
        fw.availability(True),
    ]
    for topic, payload in messages:
        decoded = decode(topic, payload, now_ms)
        assert isinstance(decoded, Message), decoded
    assert msgspec.json.decode(messages[-1][1]) == {"state": "online", "v": 1}
