"""Channels against real receivers on loopback: HTTP (webhook, SMS/voice provider) and SMTP."""

from __future__ import annotations

import time

import pytest

from alerts.channels.base import DeliveryError
from alerts.channels.email import EmailChannel
from alerts.channels.provider import ProviderChannel
from alerts.channels.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookChannel, verify
from stores.state.escalation import DeliveryRow
from tests.channels.receivers import http_receiver, smtp_server

SECRET = "webhook-secret-for-tests"


def row(channel: str, address: str) -> DeliveryRow:
    return DeliveryRow(
        key=f"a1/0/0/0/fam1/{channel}",
        alarm_id="a1",
        generation=0,
        stage=0,
        round=0,
        contact_id="fam1",
        role="family",
        channel=channel,
        address=address,
        message={
            "language": "zh-CN",
            "subject": "【安居】王秀英：跌倒",
            "text": "王秀英家中发生跌倒。",
        },
    )


def test_webhook_is_signed_and_carries_the_idempotency_key() -> None:
    with http_receiver() as rx:
        WebhookChannel(SECRET).send(row("webhook", rx.url + "/hook"))
        [hit] = rx.wait(1)
    assert hit.path == "/hook"
    assert hit.headers["Idempotency-Key"] == "a1/0/0/0/fam1/webhook"
    ts, sig = hit.headers[TIMESTAMP_HEADER], hit.headers[SIGNATURE_HEADER]
    assert verify(SECRET, ts, hit.body, sig, now_s=time.time())
    assert not verify("another-secret-xxxx", ts, hit.body, sig, now_s=time.time())
    assert not verify(SECRET, ts, hit.body + b" ", sig, now_s=time.time())
    assert not verify(SECRET, ts, hit.body, sig, now_s=time.time() + 3600)  # replayed later
    assert hit.json()["message"]["subject"] == "【安居】王秀英：跌倒"


def test_webhook_retries_server_errors_with_backoff() -> None:
    slept: list[float] = []
    with http_receiver(statuses=[503, 500]) as rx:
        WebhookChannel(SECRET, retries=2, backoff_s=0.1, sleep=slept.append).send(
            row("webhook", rx.url)
        )
        hits = rx.wait(3)
    assert len(hits) == 3
    assert slept == [0.1, 0.2]
    assert len({h.headers["Idempotency-Key"] for h in hits}) == 1


def test_webhook_client_error_is_not_retried() -> None:
    with http_receiver(statuses=[400]) as rx:
        with pytest.raises(DeliveryError) as err:
            WebhookChannel(SECRET, sleep=lambda _s: None).send(row("webhook", rx.url))
        assert len(rx.wait(1, timeout_s=0.2)) == 1
    assert not err.value.retryable


def test_webhook_unreachable_is_retryable() -> None:
    with http_receiver() as rx:
        url = rx.url
    with pytest.raises(DeliveryError) as err:
        WebhookChannel(SECRET, retries=0, timeout_s=1).send(row("webhook", url))
    assert err.value.retryable


@pytest.mark.parametrize("kind", ["sms", "voice"])
def test_sms_and_voice_through_the_provider_api(kind: str) -> None:
    with http_receiver() as rx:
        channel = ProviderChannel(kind, rx.url + "/v1", "provider-token")  # type: ignore[arg-type]
        channel.send(row(kind, "+8613800000001"))
        [hit] = rx.wait(1)
    assert hit.path == f"/v1/{kind}"
    assert hit.headers["Authorization"] == "Bearer provider-token"
    assert hit.headers["Idempotency-Key"] == f"a1/0/0/0/fam1/{kind}"
    body = hit.json()
    assert body["to"] == "+8613800000001"
    assert body["text"] == "王秀英家中发生跌倒。"
    assert body["reference"] == f"a1/0/0/0/fam1/{kind}"


def test_provider_rate_limit_is_retryable_and_bad_number_is_not() -> None:
    with http_receiver(statuses=[429, 422]) as rx:
        channel = ProviderChannel("sms", rx.url, "t")
        with pytest.raises(DeliveryError) as limited:
            channel.send(row("sms", "+86138"))
        with pytest.raises(DeliveryError) as bad:
            channel.send(row("sms", "+86138"))
    assert limited.value.retryable
    assert not bad.value.retryable


def test_email_over_real_smtp() -> None:
    with smtp_server() as box:
        EmailChannel("127.0.0.1", box.port, "anju@example.org").send(row("email", "li@example.org"))
        [(sender, rcpts, msg)] = box.wait(1)
    assert sender == "anju@example.org"
    assert rcpts == ["li@example.org"]
    assert msg["Subject"] == "【安居】王秀英：跌倒"
    assert msg["X-Anju-Key"] == "a1/0/0/0/fam1/email"
    body = msg.get_payload(decode=True)
    assert isinstance(body, bytes)
    assert "王秀英家中发生跌倒" in body.decode("utf-8")


def test_email_server_down_is_retryable() -> None:
    with smtp_server() as box:
        port = box.port
    with pytest.raises(DeliveryError) as err:
        EmailChannel("127.0.0.1", port, "anju@example.org", timeout_s=1).send(
            row("email", "li@example.org")
        )
    assert err.value.retryable
