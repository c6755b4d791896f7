"""DeviceModel.decode: decoder output checked against the contract and the model; every failure
of a decoder is one counted reject that names the model, and the next message is fine."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from device_models.loader import load_model
from device_models.model import DeviceModel
from device_models.registry import SHIPPED_MODELS, ModelRegistry
from device_models.sandbox import WATCHDOG, DecoderTimeout
from domain import contract
from domain.decode import Message
from domain.rejects import Reason, Rejected
from tests.device_models.helpers import NOW_MS, write_decoder, write_model

TOPIC = "test/dev-1/up"


def _model(tmp_path: Path, body: str, limits: str = "") -> DeviceModel:
    write_decoder(tmp_path, body)
    return load_model(write_model(tmp_path, limits=limits))


def _rejected(result: list[Message] | Rejected) -> Rejected:
    assert isinstance(result, Rejected), result
    return result


def _ok(result: list[Message] | Rejected) -> list[Message]:
    assert not isinstance(result, Rejected), result
    return result


def test_decoded_messages_get_seq_ts_and_v_when_the_device_has_none(tmp_path: Path) -> None:
    model = _model(tmp_path, 'return [{"channel": "event", "type": "motion", "state": True},\n'
                   '        {"channel": "reading", "values": {"temperature": 21.5}}]')  # fmt: skip
    first, second = _ok(model.decode(TOPIC, b"x", NOW_MS))
    assert isinstance(first.body, contract.Motion) and first.body.state is True
    assert first.body.ts == NOW_MS and first.body.v == 1
    assert second.body.seq == first.body.seq + 1  # type: ignore[union-attr]
    assert first.topic.device_id == "dev-1" and second.topic.channel == "reading"
    given = _ok(model.decode(TOPIC, b"x", NOW_MS, seq=lambda d, ms, i: 7 + i))
    assert [m.seq for m in given] == [7, 8]


@pytest.mark.parametrize(
    ("body", "reason", "says"),
    [
        ("raise KeyError('hr')", Reason.DECODER, "decoder raised KeyError"),
        ("return {'channel': 'reading'}", Reason.DECODER, "returned dict, not a list"),
        ("return [42]", Reason.DECODER, "message 0 is int"),
        ("return [{'channel': 'cmd'}]", Reason.DECODER, "channel 'cmd'"),
        (
            "return [{'channel': 'reading', 'values': {'temperature': 'hot'}}]",
            Reason.DECODER,
            "breaks the contract",
        ),
        (
            "return [{'channel': 'reading', 'values': {'temperature': 200}}]",
            Reason.OUT_OF_RANGE,
            "breaks the contract",
        ),
        (
            "return [{'channel': 'reading', 'values': {'temperature': 61}}]",
            Reason.OUT_OF_RANGE,
            "temperature=61 is outside [-20, 60] declared by 'temperature'",
        ),
        (
            "return [{'channel': 'reading', 'values': {'heart_rate': 61}}]",
            Reason.DECODER,
            "'heart_rate' is no declared capability",
        ),
        (
            "return [{'channel': 'event', 'type': 'sos'}]",
            Reason.DECODER,
            "event 'sos' is no declared capability",
        ),
        (
            "return [{'channel': 'event', 'type': 'motion', 'state': True, 'ts': 1}]",
            Reason.CLOCK_PAST,
            "behind",
        ),
        ("return [{'channel': 'status', 'battery': 120}]", Reason.OUT_OF_RANGE, "contract"),
        ("return [{'channel': 'status'}] * 17", Reason.DECODER, "17 messages > 16"),
        ("return decode(payload, ctx)", Reason.DECODER, "RecursionError"),
    ],
)
def test_bad_decoder_output_is_one_reject_naming_the_model(
    tmp_path: Path, body: str, reason: Reason, says: str
) -> None:
    rejected = _rejected(_model(tmp_path, body).decode(TOPIC, b"x", NOW_MS))
    assert rejected.reason is reason
    assert rejected.detail.startswith("model test-t1: ")
    assert says in rejected.detail


def test_size_limit_is_checked_before_the_decoder_runs(tmp_path: Path) -> None:
    model = _model(tmp_path, "raise AssertionError('must not run')",
                   limits="limits: {max_payload_bytes: 8}\n")  # fmt: skip
    rejected = _rejected(model.decode(TOPIC, b"123456789", NOW_MS))
    assert rejected.reason is Reason.OVERSIZED and "9 bytes > 8" in rejected.detail


def test_a_runaway_decoder_is_stopped_and_the_next_message_is_fine(tmp_path: Path) -> None:
    model = _model(
        tmp_path,
        "if payload == b'loop':\n"
        "    while True:\n"
        "        try:\n"
        "            sum(range(1000))\n"
        "        except Exception:\n"
        "            pass  # a decoder that swallows errors still stops\n"
        "return [{'channel': 'status'}]",
        limits="limits: {timeout_ms: 30}\n",
    )
    started = time.monotonic()
    rejected = _rejected(model.decode(TOPIC, b"loop", NOW_MS))
    took = time.monotonic() - started
    assert rejected.reason is Reason.DECODER and "ran over 30 ms" in rejected.detail
    assert 0.03 <= took < 0.5
    for _ in range(200):  # nothing left pending on this thread
        assert len(_ok(model.decode(TOPIC, b"ok", NOW_MS))) == 1
    time.sleep(0.05)
    assert len(_ok(model.decode(TOPIC, b"ok", NOW_MS))) == 1


def test_the_watchdog_guards_each_thread_on_its_own() -> None:
    results: dict[str, object] = {}

    def slow() -> None:
        try:
            WATCHDOG.call(0.02, time.sleep, 0.0)  # quick call, then a runaway
            WATCHDOG.call(0.02, lambda: [None for _ in iter(int, 1)])
        except DecoderTimeout:
            results["slow"] = "stopped"

    def quick() -> None:
        results["quick"] = sum(WATCHDOG.call(0.5, lambda: 1) for _ in range(10_000))

    threads = [threading.Thread(target=slow), threading.Thread(target=quick)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert results == {"slow": "stopped", "quick": 10_000}


def test_contract_models_without_a_decoder_check_declared_capabilities() -> None:
    registry = ModelRegistry([SHIPPED_MODELS])
    registry.load()
    pir = registry.get("anju-pir-m1")
    assert pir is not None
    topic = "anju/v1/h1/pir-1/event"
    motion = b'{"v":1,"seq":5,"ts":%d,"type":"motion","state":true}' % NOW_MS
    (msg,) = _ok(pir.decode(topic, motion, NOW_MS))
    assert msg.topic.home_id == "h1" and msg.seq == 5
    sos = b'{"v":1,"seq":6,"ts":%d,"type":"sos"}' % NOW_MS
    assert _rejected(pir.decode(topic, sos, NOW_MS)).reason is Reason.DECODER
    assert _rejected(pir.decode(topic, b"{", NOW_MS)).reason is Reason.MALFORMED
    battery = b'{"v":1,"seq":7,"ts":%d,"battery":101}' % NOW_MS
    assert _rejected(pir.decode("anju/v1/h1/pir-1/status", battery, NOW_MS)).reason in (
        Reason.OUT_OF_RANGE,
    )


def test_topics_for_the_broker(tmp_path: Path) -> None:
    registry = ModelRegistry([SHIPPED_MODELS])
    registry.load()
    radar = registry.get("somni-r3")
    pendant = registry.get("anju-pendant-p2")
    assert radar is not None and pendant is not None
    assert radar.publish_topics("h1", "r1") == ["somni/h1/r1/events"]
    assert pendant.publish_topics("h1", "p1") == ["anju/v1/h1/p1/+"]
    assert pendant.subscribe_topics("h1", "p1") == ["anju/v1/h1/p1/cmd"]
    band = registry.get("hx-w4")
    assert band is not None and band.publish_topics("h1", "865") == ["hx/w4/up"]
