"""The channel interface: deliver one outbox message or say why not."""

from __future__ import annotations

from typing import Protocol

from stores.state.escalation import DeliveryRow


class DeliveryError(Exception):
    """A delivery that did not happen. `retryable=False`: trying again will not help."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class Channel(Protocol):
    name: str

    def send(self, delivery: DeliveryRow) -> None:
        """Deliver or raise DeliveryError. Pass `delivery.key` on as an idempotency key."""
        ...


def http_error(status: int, text: str) -> DeliveryError:
    """4xx (except 408 and 429) will not get better by retrying; 5xx and those may."""
    retryable = status >= 500 or status in (408, 429)
    return DeliveryError(f"HTTP {status}: {text[:200]}", retryable=retryable)
