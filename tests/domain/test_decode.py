"""The device contract's decoder: every way a message can be wrong has its own reason."""

from __future__ import annotations

import json

import pytest

from domain import contract
from domain.decode import MAX_FUTURE_MS, MAX_PAST_MS, Message, decode
from domain.rejects import Reason, Rejected

NOW = 1_767_225_600_000
READING = "anju/v1/home-1/pendant-1/reading"
EVENT = "anju/v1/home-1/sos-1/event"


def body(**fields: object) -> bytes:
    base: dict[str, object] = {"v": 1, "seq": 7, "ts": NOW, "values": {"heart_rate": 72}}
    base.update(fields)
    return json.dumps(base).encode()


def rejected(result: Message | Rejected) -> Reason:
    assert isinstance(result, Rejected), result
    return result.reason


def test_valid_reading_decodes() -> None:
    result = decode(READING, body(), NOW)
    assert isinstance(result, Message)
    assert isinstance(result.body, contract.Reading)
    assert result.body.values.heart_rate == 72
    assert (result.topic.home_id, result.topic.device_id, result.seq) == ("home-1", "pendant-1", 7)


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"{not json", Reason.MALFORMED),
        (b"", Reason.MALFORMED),
        (body(seq="seven"), Reason.SCHEMA),
        (json.dumps({"v": 1, "ts": NOW, "values": {}}).encode(), Reason.SCHEMA),
        (body(extra=1), Reason.SCHEMA),
        (body(values={"pulse": 70}), Reason.SCHEMA),
        (body(v=2), Reason.UNKNOWN_VERSION),
        (body(v=9, seq="x"), Reason.UNKNOWN_VERSION),
        (body(values={"heart_rate": 900}), Reason.OUT_OF_RANGE),
        (body(values={"battery": -1}), Reason.OUT_OF_RANGE),
        (body(seq=-1), Reason.OUT_OF_RANGE),
        (b'{"v":1,"seq":7,"ts":%d,"values":{"heart_rate":NaN}}' % NOW, Reason.NON_FINITE),
        (b'{"v":1,"seq":7,"ts":%d,"values":{"heart_rate":Infinity}}' % NOW, Reason.NON_FINITE),
        (body(ts=NOW + MAX_FUTURE_MS + 1), Reason.CLOCK_FUTURE),
        (body(ts=NOW - MAX_PAST_MS - 1), Reason.CLOCK_PAST),
        (b" " * (contract.MAX_PAYLOAD_BYTES + 1), Reason.OVERSIZED),
    ],
)
def test_bad_readings_are_rejected_with_their_reason(payload: bytes, reason: Reason) -> None:
    assert rejected(decode(READING, payload, NOW)) is reason


@pytest.mark.parametrize(
    "topic",
    [
        "anju/v1/home-1/pendant-1",
        "anju/v2/home-1/pendant-1/reading",
        "anju/v1/Home-1/pendant-1/reading",
        "anju/v1/home-1/pendant-1/cmd",
        "anju/v1/home-1/pendant-1/reading/extra",
        "other/v1/home-1/pendant-1/reading",
    ],
)
def test_topics_outside_the_contract_are_rejected(topic: str) -> None:
    assert rejected(decode(topic, body(), NOW)) is Reason.BAD_TOPIC


def test_events_are_a_tagged_union() -> None:
    sos = decode(EVENT, json.dumps({"v": 1, "seq": 1, "ts": NOW, "type": "sos"}).encode(), NOW)
    assert isinstance(sos, Message) and isinstance(sos.body, contract.Sos)
    door = json.dumps({"v": 1, "seq": 2, "ts": NOW, "type": "door", "state": "ajar"}).encode()
    assert rejected(decode(EVENT, door, NOW)) is Reason.SCHEMA
    unknown = json.dumps({"v": 1, "seq": 3, "ts": NOW, "type": "teleport"}).encode()
    assert rejected(decode(EVENT, unknown, NOW)) is Reason.SCHEMA


def test_impact_window_is_bounded() -> None:
    window = {"v": 1, "seq": 1, "ts": NOW, "type": "impact", "fs": 50, "t0": NOW}
    ok = decode(EVENT, json.dumps({**window, "accel": [[0.0, 0.0, 1.0]] * 400}).encode(), NOW)
    assert isinstance(ok, Message) and isinstance(ok.body, contract.Impact)
    saturated = json.dumps({**window, "accel": [[0.0, 0.0, 99.0]]}).encode()
    assert rejected(decode(EVENT, saturated, NOW)) is Reason.OUT_OF_RANGE


def test_availability_has_no_sequence() -> None:
    result = decode("anju/v1/home-1/pendant-1/availability", b'{"state":"offline"}', NOW)
    assert isinstance(result, Message)
    assert result.seq is None and result.ts is None
