"""A simulated day: deterministic, on the contract, with real PIR timing and a daily rhythm."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict

import msgspec

from domain import contract
from domain.decode import Message, decode
from firmware_sim.models import PIR_BLIND_S
from firmware_sim.people import PersonaName
from tests.firmware_sim.helpers import simulate

TZ = 8 * 3600


def test_same_seed_same_bytes_other_seed_other_life() -> None:
    _, a, _ = simulate(2, 6 * 3600, seed=9)
    _, b, _ = simulate(2, 6 * 3600, seed=9)
    _, c, _ = simulate(2, 6 * 3600, seed=10)
    assert [(s.t, s.topic, s.payload) for s in a.sent] == [
        (s.t, s.topic, s.payload) for s in b.sent
    ]
    assert [s.payload for s in a.sent] != [s.payload for s in c.sent]


def test_a_day_of_five_personas_speaks_the_contract() -> None:
    _, sink, homes = simulate(5, 86400.0, seed=3)
    kinds: Counter[str] = Counter()
    seqs: dict[str, list[int]] = defaultdict(list)
    for s in sink.sent:
        decoded = decode(s.topic, s.payload, int(s.t * 1000))
        assert isinstance(decoded, Message), (decoded, s.topic, s.payload[:120])
        body = decoded.body
        kinds[type(body).__name__] += 1
        if decoded.seq is not None:
            seqs[decoded.topic.device_id].append(decoded.seq)
        assert s.qos == 1
        assert s.retain == isinstance(body, contract.Availability)
    for device, numbers in seqs.items():
        assert numbers == sorted(set(numbers)), device  # per device: strictly increasing
    assert kinds["Motion"] > 100 and kinds["Bed"] >= 10 and kinds["Door"] >= 2
    assert kinds["Reading"] > 1000  # heart rate each minute while worn + kitchen readings
    assert kinds["Availability"] == sum(len(h.devices) for h in homes)


def test_pir_blind_time_and_clear() -> None:
    _, sink, _ = simulate(3, 86400.0, seed=4)
    last_true: dict[str, float] = {}
    for s in sink.sent:
        if "-pir-" not in s.topic or not s.topic.endswith("/event"):
            continue
        body = msgspec.json.decode(s.payload)
        if body["state"]:
            prev = last_true.get(s.topic)
            assert prev is None or s.t - prev >= PIR_BLIND_S - 1e-6
            last_true[s.topic] = s.t


def test_daily_rhythm_busy_mornings_quiet_nights() -> None:
    _, sink, _ = simulate(5, 2 * 86400.0, seed=6, personas=[PersonaName.EARLY_RISER])
    by_hour: Counter[int] = Counter()
    for s in sink.sent:
        if "-pir-" in s.topic and b'"state":true' in s.payload:
            by_hour[int((s.t + TZ) % 86400 // 3600)] += 1
    morning = sum(by_hour[h] for h in (7, 8, 9))
    night = sum(by_hour[h] for h in (1, 2, 3))
    assert morning > 4 * max(night, 1)


def test_heart_rate_each_minute_and_kitchen_warms_when_cooking() -> None:
    _, sink, homes = simulate(1, 86400.0, seed=8, personas=[PersonaName.OUTGOER])
    pendant = f"{homes[0].home_id}-pendant/reading"
    times = [s.t for s in sink.sent if s.topic.endswith(pendant)]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 59.9 and Counter(round(g) for g in gaps).most_common(1)[0][0] == 60
    temps = [
        msgspec.json.decode(s.payload)["values"]["temperature"]
        for s in sink.sent
        if s.topic.endswith("-env/reading")
    ]
    assert max(temps) - min(temps) > 5.0  # cooking heats the kitchen
    assert not any(b'"smoke_alarm"' in s.payload for s in sink.sent)  # ordinary cooking


def test_nine_days_stay_inside_the_contract() -> None:
    """Counters that only reset on some days (steps at midnight) must not run out of range."""
    _, sink, _ = simulate(2, 9 * 86400.0, seed=12, personas=[PersonaName.DEMENTIA])
    rejected = [
        (s.topic, s.payload[:100])
        for s in sink.sent
        if not isinstance(decode(s.topic, s.payload, int(s.t * 1000)), Message)
    ]
    assert rejected == []
