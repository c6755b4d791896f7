"""The gate's checks on a real SQLite state store with a clock the test moves (no broker)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domain.clock import ManualClock, now_ms
from domain.model import Device, DeviceKind
from domain.rejects import Reason, Rejected
from domain.topics import topic
from ingest.directory import DeviceDirectory
from ingest.gate import Accepted, Gate
from ingest.ratelimit import RateLimiter
from stores.state.sql import SqlStateStore
from tests.ingest.helpers import provision


@pytest.fixture
def state(tmp_path: Path) -> SqlStateStore:
    store = SqlStateStore(f"sqlite:///{tmp_path / 'state.db'}")
    provision(store, {"h1": ["d1", "d2"], "h2": ["e1"]})
    return store


def _reading(seq: int, ts: int) -> bytes:
    return json.dumps({"v": 1, "seq": seq, "ts": ts, "values": {"battery": 50}}).encode()


def _gate(state: SqlStateStore, clock: ManualClock, rate: float = 1.0, burst: int = 5) -> Gate:
    return Gate(
        DeviceDirectory(state, clock, refresh_s=60, negative_ttl_s=10), RateLimiter(rate, burst)
    )


def _reason(verdict: Accepted | Rejected) -> Reason | None:
    return verdict.reason if isinstance(verdict, Rejected) else None


def test_order_of_checks(state: SqlStateStore) -> None:
    clock = ManualClock()
    gate = _gate(state, clock)
    now = now_ms(clock)
    t = topic("h1", "d1", "reading")
    assert _reason(gate.check(t, _reading(1, now), now)) is None
    assert _reason(gate.check(t, _reading(1, now), now)) == Reason.DUPLICATE
    assert _reason(gate.check(topic("h2", "d1", "reading"), _reading(2, now), now)) == (
        Reason.SPOOFED
    )
    assert _reason(gate.check(topic("h1", "zz", "reading"), _reading(1, now), now)) == (
        Reason.UNKNOWN_DEVICE
    )
    assert _reason(gate.check(t, b"{", now)) == Reason.MALFORMED
    ok = gate.check(t, _reading(2, now), now)
    assert isinstance(ok, Accepted) and ok.device.home_id == "h1" and ok.message.seq == 2


def test_a_spoofed_or_rate_limited_message_does_not_burn_its_seq(state: SqlStateStore) -> None:
    clock = ManualClock()
    gate = _gate(state, clock, rate=1.0, burst=1)
    now = now_ms(clock)
    t = topic("h1", "d1", "reading")
    assert _reason(gate.check(t, _reading(1, now), now)) is None
    assert _reason(gate.check(t, _reading(2, now), now)) == Reason.RATE_LIMITED
    clock.advance(1.0)
    later = now_ms(clock)
    assert _reason(gate.check(t, _reading(2, later), later)) is None  # the real one, resent


def test_flood_is_limited_per_device(state: SqlStateStore) -> None:
    clock = ManualClock()
    gate = _gate(state, clock, rate=2.0, burst=5)
    now = now_ms(clock)
    verdicts = [
        _reason(gate.check(topic("h1", "d1", "reading"), _reading(s, now), now))
        for s in range(1, 21)
    ]
    assert verdicts.count(None) == 5
    assert verdicts.count(Reason.RATE_LIMITED) == 15
    other = gate.check(topic("h1", "d2", "reading"), _reading(1, now), now)
    assert isinstance(other, Accepted)
    clock.advance(2.0)  # 2 s at 2/s: four more
    later = now_ms(clock)
    more = [
        _reason(gate.check(topic("h1", "d1", "reading"), _reading(s, later), later))
        for s in range(100, 110)
    ]
    assert more.count(None) == 4


def test_a_replayed_backlog_passes_by_device_time(state: SqlStateStore) -> None:
    """An hour of one reading a second, replayed within a moment after an outage, passes."""
    clock = ManualClock()
    gate = _gate(state, clock, rate=2.0, burst=5)
    now = now_ms(clock)
    start = now - 3600_000
    verdicts = [
        _reason(gate.check(topic("h1", "d1", "reading"), _reading(s, start + s * 1000), now))
        for s in range(3600)
    ]
    assert verdicts.count(None) == 3600


def test_directory_finds_new_devices_and_forgets_disabled_ones(state: SqlStateStore) -> None:
    clock = ManualClock()
    directory = DeviceDirectory(state, clock, refresh_s=60, negative_ttl_s=10)
    assert directory.get("new") is None
    state.upsert_device(Device("new", "h1", DeviceKind.MOTION))
    assert directory.get("new") is None  # asked a moment ago: not again within 10 s
    clock.advance(11)
    assert directory.get("new") is not None  # found on demand, no full refresh needed
    state.upsert_device(Device("d1", "h1", DeviceKind.PENDANT, enabled=False))
    assert directory.get("d1") is not None  # cached
    clock.advance(61)
    assert directory.get("d1") is None  # periodic refresh saw it disabled
