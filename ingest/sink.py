"""Where ingest hands what it accepted: the detectors, in-process, after the batch is stored."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.decode import Message
from domain.model import Device


class Sink(Protocol):
    def accept(self, items: Sequence[tuple[Message, Device]]) -> None:
        """Called on ingest's worker thread once per batch, after the batch is durably stored
        and acknowledged. Availability messages come here too (they are not stored as points).
        Keep it quick: the next batch waits for it."""
        ...


class NullSink:
    """A sink that drops everything (ingest run on its own, benchmarks)."""

    def accept(self, items: Sequence[tuple[Message, Device]]) -> None:
        return None
