"""Which devices are provisioned: a cache of the state store's devices.

Refreshed in full every `refresh_s` seconds (clock time) and on demand for a device it does not
know yet (a device provisioned a moment ago). A device that is still unknown is asked for again
only after `negative_ttl_s`, so a flood from an unprovisioned device does not hammer the store.
"""

from __future__ import annotations

import threading

from domain.clock import Clock
from domain.model import Device
from domain.ports import StateStore


class DeviceDirectory:
    def __init__(
        self,
        state: StateStore,
        clock: Clock,
        *,
        refresh_s: float = 60.0,
        negative_ttl_s: float = 10.0,
    ) -> None:
        self._state = state
        self._clock = clock
        self._refresh_s = refresh_s
        self._negative_ttl_s = negative_ttl_s
        self._devices: dict[str, Device] = {}
        self._missing: dict[str, float] = {}  # device id -> when it was last looked for
        self._loaded_at: float | None = None
        self._lock = threading.Lock()

    def refresh(self) -> None:
        """Reload every device from the store."""
        devices = {d.device_id: d for d in self._state.list_devices()}
        with self._lock:
            self._devices = devices
            self._missing.clear()
            self._loaded_at = self._clock.now()

    def get(self, device_id: str) -> Device | None:
        """The provisioned, enabled device, or None."""
        now = self._clock.now()
        if self._loaded_at is None or now - self._loaded_at >= self._refresh_s:
            self.refresh()
        device = self._devices.get(device_id)
        if device is None:
            asked = self._missing.get(device_id)
            if asked is not None and now - asked < self._negative_ttl_s:
                return None
            device = self._state.get_device(device_id)
            with self._lock:
                if device is None:
                    self._missing[device_id] = now
                else:
                    self._devices[device_id] = device
                    self._missing.pop(device_id, None)
        if device is None or not device.enabled:
            return None
        return device

    def __len__(self) -> int:
        return len(self._devices)
