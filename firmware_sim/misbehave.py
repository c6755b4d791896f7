"""Misbehaviour on purpose, for the tests of ingest and the gateway: each is named in a scenario.

Every kind sends through the home's gateway (so it reaches the broker like real traffic) and
says which reject reason Anju should count for it (`expect`); a flood is valid traffic that
should be rate-limited, a replay valid traffic that should be taken as duplicates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import msgspec

from domain import contract
from domain.topics import PREFIX
from firmware_sim.life import HomeLife

DAY_MS = 86_400_000


def malformed(life: HomeLife, t: float, count: int) -> int:
    fw = life.pendant
    for i in range(count):
        body = f'{{"v":1,"seq":{fw.next_seq()},"ts":{fw.ts(t)},"values":{{"heart_rate":7'
        life.gateway.send(fw.topic("reading"), body.encode()[: 20 + i % 30])
    return count


def wrong_topic(life: HomeLife, t: float, count: int) -> int:
    fw = life.pendant
    for i in range(count):
        _, payload = fw.reading(t, contract.Values(heart_rate=70.0))
        where = ("telemetry", "reading/extra", "READING")[i % 3]
        life.gateway.send(f"{PREFIX}/{life.home.home_id}/{fw.device_id}/{where}", payload)
    return count


def replay(life: HomeLife, t: float, count: int) -> int:
    del t
    sent = 0
    for _ in range(count):
        for topic, payload in list(life.recent):
            life.gateway.send(topic, payload)
            sent += 1
    return sent


def flood(life: HomeLife, t: float, count: int) -> int:
    fw = life.pendant
    for i in range(count):
        life.gateway.send(*fw.reading(t + i * 0.001, contract.Values(heart_rate=72.0)))
    return count


def clock_jump(life: HomeLife, t: float, count: int) -> int:
    """The pendant's clock jumps two days ahead for `count` messages, then NTP fixes it."""
    fw = life.pendant
    fw.offset_ms += 2 * DAY_MS
    for i in range(count):
        life.gateway.send(*fw.reading(t + i, contract.Values(heart_rate=71.0)))
    fw.offset_ms -= 2 * DAY_MS
    return count


def non_finite(life: HomeLife, t: float, count: int) -> int:
    fw = life.pendant
    for _ in range(count):
        body = f'{{"v":1,"seq":{fw.next_seq()},"ts":{fw.ts(t)},"values":{{"heart_rate":NaN}}}}'
        life.gateway.send(fw.topic("reading"), body.encode())
    return count


def unknown_version(life: HomeLife, t: float, count: int) -> int:
    fw = life.pendant
    for _ in range(count):
        body = {"v": 9, "seq": fw.next_seq(), "ts": fw.ts(t), "values": {"heart_rate": 70}}
        life.gateway.send(fw.topic("reading"), msgspec.json.encode(body))
    return count


def oversized(life: HomeLife, t: float, count: int) -> int:
    fw = life.pendant
    for _ in range(count):
        accel = [[0.01, -1.0, 0.02]] * 4000
        body = {"type": "impact", "v": 1, "seq": fw.next_seq(), "ts": fw.ts(t), "fs": 50.0}
        body |= {"t0": fw.ts(t), "accel": accel, "pad": "x" * 1000}
        life.gateway.send(fw.topic("event"), msgspec.json.encode(body))
    return count


def spoofed(life: HomeLife, t: float, count: int) -> int:
    """The pendant publishes on a topic of another home."""
    fw = life.pendant
    other = "zz-spoof-target"
    for _ in range(count):
        _, payload = fw.reading(t, contract.Values(heart_rate=70.0))
        life.gateway.send(f"{PREFIX}/{other}/{fw.device_id}/reading", payload)
    return count


def unknown_device(life: HomeLife, t: float, count: int) -> int:
    fw = life.pendant
    for i in range(count):
        body = contract.Reading(v=1, seq=i, ts=fw.ts(t), values=contract.Values(heart_rate=70.0))
        topic = f"{PREFIX}/{life.home.home_id}/{life.home.home_id}-stranger/reading"
        life.gateway.send(topic, msgspec.json.encode(body))
    return count


@dataclass(frozen=True, slots=True)
class MisbehaviourSpec:
    run: Callable[[HomeLife, float, int], int]
    expect: str  # the reject reason ingest should count


MISBEHAVIOURS: dict[str, MisbehaviourSpec] = {
    "malformed": MisbehaviourSpec(malformed, "malformed"),
    "wrong_topic": MisbehaviourSpec(wrong_topic, "bad_topic"),
    "replay": MisbehaviourSpec(replay, "duplicate"),
    "flood": MisbehaviourSpec(flood, "rate_limited"),
    "clock_jump": MisbehaviourSpec(clock_jump, "clock_future"),
    "non_finite": MisbehaviourSpec(non_finite, "non_finite"),
    "unknown_version": MisbehaviourSpec(unknown_version, "unknown_version"),
    "oversized": MisbehaviourSpec(oversized, "oversized"),
    "spoofed": MisbehaviourSpec(spoofed, "spoofed"),
    "unknown_device": MisbehaviourSpec(unknown_device, "unknown_device"),
}
