"""The checks one raw message passes before it is stored, in order:

contract (domain.decode) -> provisioned device -> device on its own home's topic -> per-device
rate limit -> not seen before (device, seq). Pure logic over in-memory state: no I/O except the
device directory's occasional look-up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from domain import contract
from domain.decode import Message, decode
from domain.dedup import SeenIndex
from domain.model import Device
from domain.rejects import Reason, Rejected
from ingest.directory import DeviceDirectory
from ingest.ratelimit import RateLimiter

DEDUP_WINDOW_MS = 8 * 24 * 3600 * 1000  # a day beyond the oldest timestamp decode accepts


@dataclass(frozen=True, slots=True)
class Accepted:
    message: Message
    device: Device


class Gate:
    def __init__(
        self, directory: DeviceDirectory, limiter: RateLimiter, seen: SeenIndex | None = None
    ) -> None:
        self.directory = directory
        self.limiter = limiter
        self.seen = seen if seen is not None else SeenIndex()
        self.last_seq: dict[str, int] = {}  # devices whose model has no seq: the last one given
        # a further check of a contract message against its device's model (ingest.models)
        self.verify: Callable[[Message, Device], Rejected | None] | None = None

    def remember(self, device_id: str, seq: int) -> None:
        """A key stored before a restart: seen (dedup) and the base of assigned seqs."""
        self.seen.add(device_id, seq)
        if seq > self.last_seq.get(device_id, -1):
            self.last_seq[device_id] = seq

    def next_seq(self, device_id: str, received_ms: int, _index: int = 0) -> int:
        """A seq for a message of a device that sends none: one more than the last (so they
        stay one interval in the dedup index); a device never seen starts at received_ms*1000."""
        last = self.last_seq.get(device_id)
        seq = received_ms * 1000 if last is None else last + 1
        self.last_seq[device_id] = seq
        return seq

    def check(self, topic: str, payload: bytes, now_ms: int) -> Accepted | Rejected:
        decoded = decode(topic, payload, now_ms)
        if isinstance(decoded, Rejected):
            return decoded
        where = decoded.topic
        device = self.directory.get(where.device_id)
        if device is None:
            return Rejected(Reason.UNKNOWN_DEVICE, f"device {where.device_id!r} is not provisioned")
        if device.home_id != where.home_id:
            return Rejected(
                Reason.SPOOFED,
                f"device {device.device_id!r} belongs to home {device.home_id!r},"
                f" published on home {where.home_id!r}",
            )
        if self.verify is not None:
            problem = self.verify(decoded, device)
            if problem is not None:
                return problem
        return self.admit(decoded, device, now_ms)

    def admit(self, message: Message, device: Device, now_ms: int) -> Accepted | Rejected:
        """The checks after decoding: the device's rate limit, then not seen before."""
        body = message.body
        if isinstance(body, contract.Availability):
            if not self.limiter.allow(device.device_id + "/availability", now_ms):
                return Rejected(Reason.RATE_LIMITED, "availability flood")
            return Accepted(message, device)
        if not self.limiter.allow(device.device_id, now_ms, body.ts):
            return Rejected(Reason.RATE_LIMITED, f"device {device.device_id!r} over its budget")
        if not self.seen.add(device.device_id, body.seq):
            return Rejected(Reason.DUPLICATE, f"seq {body.seq} of {device.device_id!r} seen")
        return Accepted(message, device)
