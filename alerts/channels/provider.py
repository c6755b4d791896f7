"""SMS and voice through a provider's HTTP API (configurable base URL and token).

`POST {base_url}/sms` or `/voice` with JSON `{"to", "text", "language", "reference"}`,
`Authorization: Bearer <token>` and `Idempotency-Key`. A 2xx answer means the provider took
the message (`{"id": ...}` is kept as the provider's reference in logs). Voice reads the text
out (text-to-speech at the provider) and is used for critical alarms.
"""

from __future__ import annotations

import logging
from typing import Literal

import httpx

from alerts.channels.base import DeliveryError, http_error
from stores.state.escalation import DeliveryRow

log = logging.getLogger(__name__)


class ProviderChannel:
    def __init__(
        self,
        kind: Literal["sms", "voice"],
        base_url: str,
        token: str,
        *,
        timeout_s: float = 10.0,
    ) -> None:
        self.name: str = kind
        self.url = f"{base_url.rstrip('/')}/{kind}"
        self._headers = {"Authorization": f"Bearer {token}"}
        self._client = httpx.Client(timeout=timeout_s)

    def send(self, delivery: DeliveryRow) -> None:
        body = {
            "to": delivery.address,
            "text": delivery.message.get("text", ""),
            "language": delivery.message.get("language", "zh-CN"),
            "reference": delivery.key,
        }
        headers = {**self._headers, "Idempotency-Key": delivery.key}
        try:
            response = self._client.post(self.url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        if not response.is_success:
            raise http_error(response.status_code, response.text)
        log.debug("%s %s accepted by provider: %s", self.name, delivery.key, response.text[:100])

    def close(self) -> None:
        self._client.close()
