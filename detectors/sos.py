"""SOS: a press of the pendant or the wall button is a critical alarm, at once."""

from __future__ import annotations

from domain import contract
from domain.alarms import Detection, Severity
from domain.decode import Message
from domain.model import Device

SOS = "sos"


class SosDetector:
    """Turns every `sos` event into a critical Detection; nothing to wait for, no state."""

    name = SOS

    def on_message(self, message: Message, device: Device, now_ms: int) -> list[Detection]:
        body = message.body
        if not isinstance(body, contract.Sos):
            return []
        evidence: dict[str, object] = {
            "device": device.device_id,
            "kind": str(device.kind),
            "room": str(device.room) if device.room is not None else None,
            "ts": body.ts,
            "seq": body.seq,
        }
        return [
            Detection(
                home_id=device.home_id,
                type=SOS,
                severity=Severity.CRITICAL,
                ts_ms=body.ts,
                device_id=device.device_id,
                evidence=evidence,
            )
        ]

    def tick(self, now_ms: int) -> list[Detection]:
        return []
