"""Webhook channel: JSON POST signed with HMAC-SHA256, a few quick retries with backoff.

Headers: `X-Anju-Timestamp` (unix seconds), `X-Anju-Signature: sha256=<hex>` over
`<timestamp>.<body>`, `Idempotency-Key` (the outbox key: a receiver that keeps it sees each
message once even when Anju retries after a crash). Longer outages are the outbox's business:
it retries with its own backoff, durably.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable

import httpx

from alerts.channels.base import DeliveryError, http_error
from stores.state.escalation import DeliveryRow

SIGNATURE_HEADER = "X-Anju-Signature"
TIMESTAMP_HEADER = "X-Anju-Timestamp"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    now_s: float,
    tolerance_s: float = 300,
) -> bool:
    """For receivers: the signature matches and the timestamp is recent."""
    try:
        age = abs(now_s - float(timestamp))
    except ValueError:
        return False
    return age <= tolerance_s and hmac.compare_digest(sign(secret, timestamp, body), signature)


def payload(d: DeliveryRow) -> dict[str, object]:
    return {
        "key": d.key,
        "alarm_id": d.alarm_id,
        "stage": d.stage,
        "round": d.round,
        "generation": d.generation,
        "contact_id": d.contact_id,
        "role": d.role,
        "message": d.message,
    }


class WebhookChannel:
    name = "webhook"

    def __init__(
        self,
        secret: str,
        *,
        timeout_s: float = 5.0,
        retries: int = 2,
        backoff_s: float = 0.2,
        sleep: Callable[[float], None] = time.sleep,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.secret = secret
        self.retries = retries
        self.backoff_s = backoff_s
        self._sleep = sleep
        self._wall = wall
        self._client = httpx.Client(timeout=timeout_s)

    def send(self, delivery: DeliveryRow) -> None:
        body = json.dumps(payload(delivery), ensure_ascii=False, separators=(",", ":")).encode()
        error: DeliveryError | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(self.backoff_s * 2 ** (attempt - 1))
            ts = str(int(self._wall()))
            headers = {
                "Content-Type": "application/json",
                TIMESTAMP_HEADER: ts,
                SIGNATURE_HEADER: sign(self.secret, ts, body),
                "Idempotency-Key": delivery.key,
            }
            try:
                response = self._client.post(delivery.address, content=body, headers=headers)
            except httpx.HTTPError as exc:
                error = DeliveryError(f"{type(exc).__name__}: {exc}")
                continue
            if response.is_success:
                return
            error = http_error(response.status_code, response.text)
            if not error.retryable:
                raise error
        assert error is not None
        raise error

    def close(self) -> None:
        self._client.close()
