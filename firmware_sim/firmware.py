"""One device's firmware state: sequence numbers that survive reboots, a drifting clock, a battery.

Sequence numbers are kept the way small devices keep them in flash: the firmware reserves a block
of `SEQ_BLOCK` numbers and writes only the block's end; after a reboot it starts past the last
reserved block. Numbers only grow, a reboot leaves a gap and never a reuse.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import msgspec
import numpy as np

from domain import contract
from domain.contract import SCHEMA_VERSION
from domain.model import Device
from domain.topics import topic
from firmware_sim.models import ModelSpec

SEQ_BLOCK = 64
_ENC = msgspec.json.Encoder()


class SeqStore:
    """The devices' flash: the reserved end of each device's sequence block, optionally on disk."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._saved: dict[str, int] = {}
        if path is not None and path.exists():
            self._saved = {k: int(v) for k, v in json.loads(path.read_text()).items()}

    def load(self, device_id: str) -> int:
        with self._lock:
            return self._saved.get(device_id, 0)

    def save(self, device_id: str, reserved_end: int) -> None:
        with self._lock:
            self._saved[device_id] = reserved_end

    def flush(self) -> None:
        if self.path is None:
            return
        with self._lock:
            data = json.dumps(self._saved)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(data)
        tmp.replace(self.path)


class Firmware:
    __slots__ = (
        "alive",
        "base",
        "battery",
        "boot_t",
        "device",
        "drain_per_s",
        "drift",
        "offset_ms",
        "reserved",
        "seq",
        "spec",
        "store",
    )

    def __init__(
        self, device: Device, spec: ModelSpec, store: SeqStore, t: float, rng: np.random.Generator
    ) -> None:
        self.device = device
        self.spec = spec
        self.store = store
        self.base = topic(device.home_id, device.device_id, "cmd")[:-3]  # ".../{device}/"
        self.drift = float(rng.normal(0.0, 20.0))  # ppm: a cheap crystal drifts tens of ppm
        self.battery: float | None = None
        self.drain_per_s = 0.0
        if spec.battery_days is not None:
            self.battery = float(rng.uniform(55.0, 100.0))
            self.drain_per_s = 100.0 / (spec.battery_days * 86400.0)
        self.alive = True
        self.seq = 0
        self.reserved = 0
        self.offset_ms = 0.0
        self.boot_t = t
        self.boot(t, rng)

    @property
    def device_id(self) -> str:
        return self.device.device_id

    def boot(self, t: float, rng: np.random.Generator) -> None:
        """Power on or reboot: resume past the last reserved block, sync the clock roughly."""
        self.seq = self.store.load(self.device_id)
        self.reserved = self.seq
        self.boot_t = t
        self.offset_ms = float(rng.normal(0.0, 150.0))  # SNTP leaves ~100 ms of error
        self.alive = True

    def topic(self, channel: str) -> str:
        return self.base + channel

    def next_seq(self) -> int:
        s = self.seq
        self.seq += 1
        if self.seq > self.reserved:
            self.reserved = s + SEQ_BLOCK
            self.store.save(self.device_id, self.reserved)
        return s

    def ts(self, t: float) -> int:
        """Device time in ms: true time plus the offset at boot plus crystal drift since boot."""
        return int(t * 1000.0 + self.offset_ms + self.drift * (t - self.boot_t) * 1e-3)

    def battery_at(self, t: float, since: float) -> float | None:
        if self.battery is None:
            return None
        self.battery = max(0.0, self.battery - self.drain_per_s * (t - since))
        return self.battery

    # payloads -----------------------------------------------------------------------------
    def reading(self, t: float, values: contract.Values) -> tuple[str, bytes]:
        body = contract.Reading(v=SCHEMA_VERSION, seq=self.next_seq(), ts=self.ts(t), values=values)
        return self.base + "reading", _ENC.encode(body)

    def event(self, t: float, kind: type[contract.Event], **fields: object) -> tuple[str, bytes]:
        body = kind(v=SCHEMA_VERSION, seq=self.next_seq(), ts=self.ts(t), **fields)  # type: ignore[arg-type]
        return self.base + "event", _ENC.encode(body)

    def status(self, t: float, rssi: int) -> tuple[str, bytes]:
        battery = None if self.battery is None else round(self.battery, 1)
        body = contract.Status(
            v=SCHEMA_VERSION,
            seq=self.next_seq(),
            ts=self.ts(t),
            battery=battery,
            rssi=rssi,
            fw=self.spec.fw,
            uptime_s=int(t - self.boot_t),
        )
        return self.base + "status", _ENC.encode(body)

    def availability(self, online: bool) -> tuple[str, bytes]:
        body = contract.Availability(state="online" if online else "offline")
        return self.base + "availability", _ENC.encode(body)
