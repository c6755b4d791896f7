"""What every detector looks like to the pipeline.

Ingest hands each batch of accepted messages to the detectors in-process, after the batch is
stored, without a round trip through a database. Detectors that wait (inactivity, offline)
also get `tick` calls with the injected clock's time. A detector keeps small per-home state;
what must survive a restart it saves through `DetectorStateStore`.
"""

from __future__ import annotations

from typing import Protocol

from domain.alarms import Detection
from domain.decode import Message
from domain.model import Device


class Detector(Protocol):
    name: str

    def on_message(self, message: Message, device: Device, now_ms: int) -> list[Detection]:
        """React to one accepted message of a provisioned device."""
        ...

    def tick(self, now_ms: int) -> list[Detection]:
        """Let time pass (called about once a second, and by tests with a moved clock)."""
        ...
