"""Local fallback when nobody upstream acknowledges an alarm: a hung broker, the line looking up."""

from __future__ import annotations

import os
import signal

from gateway.fallback import SimulatedModem
from gateway.harness import Recorder, wait_until
from tests.gateway.conftest import HOME, Rig

T0 = 1_767_225_600_000


def test_unacknowledged_alarm_sounds_the_siren_and_texts_family(rig: Rig) -> None:
    outbox = rig.workdir / "modem-outbox.jsonl"
    siren = Recorder(rig.local.port, f"anju/v1/{HOME}/speaker/cmd", client_id="speaker")
    gateway = rig.gateway(
        "--siren-device",
        "speaker",
        "--sms-numbers",
        "+8613800000001,+8613800000002",
        "--modem-outbox",
        str(outbox),
        "--alarm-ack-timeout-s",
        "1",
        "--keepalive-s",
        "60",
    ).start()
    assert rig.upstream._proc is not None
    broker_pid = rig.upstream._proc.pid
    try:
        gateway.wait_state(lambda s: s["upstream"] == "online", 20, "gateway online")
        os.kill(broker_pid, signal.SIGSTOP)  # hung: TCP stays up, no PUBACK comes back
        rig.devices.event("radar", 3, T0, "fall", confidence=0.95)
        rig.devices.flush()
        wait_until(lambda: siren.count() == 1, 10, "siren after the alarm went unacknowledged")
        announce = siren.snapshot()[0].body()
        assert announce["name"] == "announce"
        assert announce["args"]["alarm"] == "fall" and announce["args"]["device"] == "radar"
        sms = SimulatedModem(outbox)
        wait_until(lambda: len(sms.sent()) == 2, 10, "two SMS")
        assert {m["to"] for m in sms.sent()} == {"+8613800000001", "+8613800000002"}
        assert "跌倒" in str(sms.sent()[0]["text"])
        assert gateway.state()["upstream"] == "online"  # the link never looked down
        os.kill(broker_pid, signal.SIGCONT)
        wait_until(lambda: rig.recorder.count("event", "radar") == 1, 15, "fall delivered")
        assert siren.count() == 1  # once per alarm
    finally:
        os.kill(broker_pid, signal.SIGCONT)
        gateway.stop()
        siren.close()
