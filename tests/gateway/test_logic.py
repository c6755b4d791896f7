"""Pure parts of the gateway: priorities, the token bucket, supervision, fallbacks."""

from __future__ import annotations

import json
from pathlib import Path

from domain.clock import ManualClock
from gateway.bucket import TokenBucket
from gateway.fallback import AlarmNotice, Fallbacks, SimulatedModem, SmsFallback
from gateway.priority import ALARM, EVENT, READING, classify, peek
from gateway.supervision import Change, Supervisor
from gateway.watchdog import AlarmWatch


def test_alarms_first_readings_last() -> None:
    for kind in ("sos", "fall", "impact", "smoke_alarm", "cancel"):
        assert classify("event", json.dumps({"type": kind, "seq": 1}).encode()) == ALARM
    assert classify("event", b'{"type": "door", "state": "open"}') == EVENT
    assert classify("event", b"not json") == EVENT
    assert classify("status", b"{}") == EVENT
    assert classify("availability", b'{"state":"offline"}') == EVENT
    assert classify("reading", b'{"type": "sos"}') == READING
    assert peek(b'{"v":1,"seq":7,"ts":1,"type":"fall"}') == ("fall", 7)


def test_token_bucket_follows_the_injected_clock() -> None:
    clock = ManualClock()
    bucket = TokenBucket(rate=100, burst=50, clock=clock)
    assert bucket.take(80) == 50
    assert bucket.take(1) == 0
    clock.advance(0.1)
    assert bucket.take(80) == 10
    clock.advance(60)
    assert bucket.available() == 50


def test_supervision_heartbeats_and_last_will() -> None:
    clock = ManualClock()
    sup = Supervisor(default_timeout_s=600)
    assert sup.heard("pir", clock.now()) == Change("pir", "online", False)
    assert sup.heard("pir", clock.advance(100)) is None
    sup.set_heartbeat("watch", 60, clock.now())
    sup.heard("watch", clock.now())
    clock.advance(151)
    assert sup.tick(clock.now()) == [Change("watch", "offline", False)]
    assert sup.tick(clock.now()) == []
    clock.advance(450)
    assert sup.tick(clock.now()) == [Change("pir", "offline", False)]
    assert sup.heard("pir", clock.now()) == Change("pir", "online", False)
    assert sup.heard("pir", clock.now(), "offline") == Change("pir", "offline", True)
    assert sup.online() == []


def test_sms_fallback_through_the_simulated_modem_once_per_alarm(tmp_path: Path) -> None:
    modem = SimulatedModem(tmp_path / "outbox.jsonl")
    fallbacks = Fallbacks([SmsFallback(modem, ["+8613800000001", "+8613800000002"])])
    notice = AlarmNotice("h1", "pendant", "sos", 5, 0)
    assert fallbacks.alarm(notice) is True
    assert fallbacks.alarm(notice) is False
    sent = modem.sent()
    assert [s["to"] for s in sent] == ["+8613800000001", "+8613800000002"]
    assert "紧急呼叫" in str(sent[0]["text"]) and "SOS" in str(sent[0]["text"])


def test_alarm_watch_reports_each_unacknowledged_alarm_once() -> None:
    clock = ManualClock()
    watch = AlarmWatch(timeout_s=10)
    sos = AlarmNotice("h1", "pendant", "sos", 1, 0)
    fall = AlarmNotice("h1", "radar", "fall", 2, 0)
    watch.sent(1, sos, clock.now())
    watch.sent(2, fall, clock.advance(5))
    watch.acked(2)
    assert watch.overdue(clock.advance(4.9)) == []
    assert watch.overdue(clock.advance(0.2)) == [sos]
    assert watch.overdue(clock.advance(60)) == []
