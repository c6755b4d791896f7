"""Supervision of the home's devices: who is online, as seen from the gateway.

A device is online while it speaks (any message counts as a sign of life) and goes offline when
its Last Will arrives on the local broker or when it stays silent longer than its timeout (by
default the gateway's `device_timeout_s`; 2.5 x the heartbeat interval once Anju sets one through
the gateway). Each change is returned once, for the gateway to report upstream as the device's
availability. Pure logic on an injected clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

State = Literal["online", "offline"]


@dataclass(frozen=True, slots=True)
class Change:
    device: str
    state: State
    reported_by_device: bool  # the device published it itself: forwarding it is enough


@dataclass
class _Device:
    last_seen: float
    state: State
    timeout_s: float | None = None


@dataclass
class Supervisor:
    default_timeout_s: float
    devices: dict[str, _Device] = field(default_factory=dict)

    def heard(self, device: str, now: float, availability: State | None = None) -> Change | None:
        """A message from `device` (its availability payload's state, if that is what it was)."""
        known = self.devices.get(device)
        if known is None:
            known = self.devices[device] = _Device(now, "offline")
        state: State = availability or "online"
        if availability != "offline":
            known.last_seen = now
        if state == known.state:
            return None
        known.state = state
        return Change(device, state, reported_by_device=availability is not None)

    def set_heartbeat(self, device: str, interval_s: float, now: float) -> None:
        known = self.devices.setdefault(device, _Device(now, "offline"))  # not heard yet
        known.timeout_s = 2.5 * interval_s

    def tick(self, now: float) -> list[Change]:
        """Devices silent past their timeout go offline (reported once)."""
        changes: list[Change] = []
        for name, known in self.devices.items():
            timeout = known.timeout_s or self.default_timeout_s
            if known.state == "online" and now - known.last_seen > timeout:
                known.state = "offline"
                changes.append(Change(name, "offline", reported_by_device=False))
        return changes

    def online(self) -> list[str]:
        return sorted(n for n, d in self.devices.items() if d.state == "online")
