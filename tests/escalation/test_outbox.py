"""The outbox retries with backoff on the clock, gives up on permanent errors, keeps status."""

from __future__ import annotations

from alerts.outbox import backoff_ms
from domain.alarms import Severity
from tests.escalation.conftest import T0, Rig


def test_backoff_doubles_up_to_five_minutes() -> None:
    assert [backoff_ms(n) for n in (1, 2, 3, 4)] == [1000, 2000, 4000, 8000]
    assert backoff_ms(30) == 300_000


def test_a_failing_receiver_is_retried_until_it_takes_the_message(rig: Rig) -> None:
    rig.rx.statuses.extend([503, 503])  # the first two webhooks of stage 0 fail
    alarm_id = rig.raise_alarm("sos", Severity.CRITICAL)
    rig.at(0)
    failed = [d for d in rig.esc.deliveries(alarm_id) if d.status == "pending"]
    assert len(failed) == 2 and all(d.attempts == 1 and "503" in d.error for d in failed)
    assert all(d.next_ms == int(T0 * 1000) + 1000 for d in failed)
    rig.at(0.5)
    assert len([d for d in rig.esc.deliveries(alarm_id) if d.status == "pending"]) == 2
    rig.at(1.0)  # backoff over: delivered on the second attempt
    rows = rig.esc.deliveries(alarm_id)
    assert {d.status for d in rows} == {"delivered"}
    assert sorted(d.attempts for d in rows if d.channel == "webhook")[-1] == 2


def test_a_permanent_error_fails_at_once_and_is_kept(rig: Rig) -> None:
    rig.rx.statuses.append(410)
    alarm_id = rig.raise_alarm("sos", Severity.CRITICAL)
    rig.at(0)
    [gone] = [d for d in rig.esc.deliveries(alarm_id) if d.status == "failed"]
    assert gone.attempts == 1 and "410" in gone.error


def test_a_channel_nobody_configured_fails_visibly(rig: Rig) -> None:
    del rig.dispatcher.channels["sms"]
    alarm_id = rig.raise_alarm("fall", Severity.CRITICAL)
    rig.at(0)
    [sms] = [d for d in rig.esc.deliveries(alarm_id) if d.channel == "sms"]
    assert sms.status == "failed" and "no sms channel" in sms.error
