"""Watch the devices themselves, so a silent house is never a dead sensor taken for calm.

Every fault is a TECHNICAL detection (routed to operators, never mixed with care alarms) and
has a restore: `device_offline` then `device_offline_restored`, and so on. Faults:
- device_offline: no message for `missed` heartbeat intervals of its model, or Last Will;
- gateway_offline: the same for the home's gateway (its devices' offline faults are held
  back while it is down: one cause, one alarm);
- low_battery: below `battery_low` %, restored above `battery_ok` %;
- pendant_not_worn: the house is active (motion) but the pendant shows no wear for hours;
- sensor_stuck: a motion sensor that reports "motion" without pause for longer than `stuck_s`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Protocol

import msgspec

from domain import contract
from domain.alarms import Detection, Severity
from domain.decode import Message
from domain.model import Device, DeviceKind


class BlobStore(Protocol):
    def load_blob(self, key: str) -> bytes | None: ...

    def save_blob(self, key: str, value: bytes) -> None: ...


BLOB_KEY = "detector/supervision"
MAINS = frozenset({DeviceKind.GATEWAY})


@dataclass(frozen=True, slots=True)
class SupervisionConfig:
    battery_interval_s: float = 25 * 3600  # heartbeat window of battery devices (zigbee2mqtt)
    mains_interval_s: float = 10 * 60  # heartbeat window of mains devices (gateway)
    model_intervals_s: dict[str, float] = field(default_factory=dict)  # per device model
    model_battery_low: dict[str, float] = field(default_factory=dict)  # per device model
    missed: float = 1.0  # intervals without any message before "offline"
    battery_low: float = 20.0
    battery_ok: float = 30.0
    not_worn_s: float = 3 * 3600  # no sign of the pendant on the person for this long ...
    house_active_events: int = 3  # ... while motion sensors saw this many events meanwhile
    stuck_s: float = 6 * 3600  # a motion sensor "on" without pause this long

    def interval_s(self, device: Device) -> float:
        if device.model in self.model_intervals_s:
            return self.model_intervals_s[device.model]
        return self.mains_interval_s if device.kind in MAINS else self.battery_interval_s


class DeviceState(msgspec.Struct):
    device_id: str
    home_id: str
    kind: str
    model: str = ""
    last_ms: int = 0
    offline: bool = False  # Last Will received
    faults: list[str] = msgspec.field(default_factory=list)  # raised and not yet restored
    stuck_since_ms: int | None = None
    worn_ms: int = 0  # pendant: last sign it is on the person
    steps: int = -1  # pendant: last step count (steps that grow mean it is worn)
    window_ms: int = 0  # heartbeat window of its model, cached


class SupervisionState(msgspec.Struct):
    devices: dict[str, DeviceState] = msgspec.field(default_factory=dict)
    house_events: dict[str, list[int]] = msgspec.field(default_factory=dict)  # recent motion


class SupervisionDetector:
    name = "supervision"

    def __init__(self, store: BlobStore | None = None, config: SupervisionConfig | None = None):
        self.config = config or SupervisionConfig()
        self._store = store
        raw = store.load_blob(BLOB_KEY) if store else None
        self._state = (
            msgspec.msgpack.decode(raw, type=SupervisionState) if raw else (SupervisionState())
        )

    def watch(self, devices: list[Device], now_ms: int) -> None:
        """Supervise provisioned devices from now on, even those that never speak."""
        for device in devices:
            self._device(device, now_ms)

    def on_message(self, message: Message, device: Device, now_ms: int) -> list[Detection]:
        st = self._device(device, now_ms)
        body = message.body
        found: list[Detection] = []
        if isinstance(body, contract.Availability):
            st.offline = body.state == "offline"
            if not st.offline:
                st.last_ms = now_ms
            found += (
                self._offline_check(st, now_ms)
                if st.offline
                else self._restore(st, _offline_type(st), now_ms)
            )
            return self._saved(found)
        st.last_ms = max(st.last_ms, min(body.ts, now_ms))
        st.offline = False
        found += self._restore(st, _offline_type(st), now_ms)
        battery = (
            body.battery
            if isinstance(body, contract.Status)
            else (body.values.battery if isinstance(body, contract.Reading) else None)
        )
        if battery is not None:
            found += self._battery(st, battery, now_ms)
        if device.kind is DeviceKind.PENDANT and _worn(body, st):
            st.worn_ms = now_ms
            found += self._restore(st, "pendant_not_worn", now_ms)
        if isinstance(body, contract.Motion | contract.Door):
            active = body.state is True or body.state == "open"
            if device.kind is DeviceKind.MOTION and active:
                events = self._state.house_events.setdefault(st.home_id, [])
                events.append(now_ms)
                del events[: max(0, len(events) - 50)]
            if device.kind is not DeviceKind.MOTION:
                pass
            elif active and st.stuck_since_ms is None:
                st.stuck_since_ms = now_ms
            elif not active:
                st.stuck_since_ms = None
                found += self._restore(st, "sensor_stuck", now_ms)
        return self._saved(found) if found else found

    def tick(self, now_ms: int) -> list[Detection]:
        found: list[Detection] = []
        cfg = self.config
        pendant = DeviceKind.PENDANT.value
        for st in self._state.devices.values():
            quiet = now_ms - st.last_ms
            if (
                quiet <= st.window_ms
                and not st.offline
                and st.stuck_since_ms is None
                and st.kind != pendant
            ):
                continue  # the common case: nothing can be due for this device
            found += self._offline_check(st, now_ms)
            if st.stuck_since_ms is not None and now_ms - st.stuck_since_ms > cfg.stuck_s * 1000:
                found += self._raise(st, "sensor_stuck", now_ms, {"since_ms": st.stuck_since_ms})
            if st.kind == DeviceKind.PENDANT.value and now_ms - st.worn_ms > cfg.not_worn_s * 1000:
                recent = [t for t in self._state.house_events.get(st.home_id, []) if t > st.worn_ms]
                if len(recent) >= cfg.house_active_events:
                    found += self._raise(
                        st, "pendant_not_worn", now_ms, {"house_events": len(recent)}
                    )
        return self._saved(found) if found else found

    def set_models(
        self, offline_after_s: Mapping[str, float], battery_low: Mapping[str, float]
    ) -> None:
        """The device model files' supervision windows and low-battery thresholds (at start and
        after every reload); devices already watched move to their model's new window."""
        self.config = replace(
            self.config,
            model_intervals_s=dict(offline_after_s),
            model_battery_low=dict(battery_low),
        )
        defaults = {True: self.config.mains_interval_s, False: self.config.battery_interval_s}
        for st in self._state.devices.values():
            interval = self.config.model_intervals_s.get(
                st.model, defaults[st.kind in {k.value for k in MAINS}]
            )
            st.window_ms = int(interval * self.config.missed * 1000)

    def flush(self) -> None:
        if self._store is not None:
            self._store.save_blob(BLOB_KEY, msgspec.msgpack.encode(self._state))

    # ---- internals -----------------------------------------------------------------------
    def _device(self, device: Device, now_ms: int) -> DeviceState:
        key = f"{device.home_id}/{device.device_id}"  # device ids are unique within a home
        st = self._state.devices.get(key)
        if st is None:
            st = DeviceState(
                device.device_id,
                device.home_id,
                device.kind.value,
                device.model,
                last_ms=now_ms,
                worn_ms=now_ms,
                window_ms=int(self.config.interval_s(device) * self.config.missed * 1000),
            )
            self._state.devices[key] = st
        return st

    def _gateway_down(self, home_id: str) -> bool:
        return any(
            d.home_id == home_id
            and d.kind == DeviceKind.GATEWAY.value
            and "gateway_offline" in d.faults
            for d in self._state.devices.values()
        )

    def _offline_check(self, st: DeviceState, now_ms: int) -> list[Detection]:
        if not (st.offline or now_ms - st.last_ms > st.window_ms):
            return []
        kind = _offline_type(st)
        if kind == "device_offline" and self._gateway_down(st.home_id):
            return []
        return self._raise(
            st, kind, now_ms, {"last_seen_ms": st.last_ms, "last_will": str(st.offline).lower()}
        )

    def _battery(self, st: DeviceState, battery: float, now_ms: int) -> list[Detection]:
        low = self.config.model_battery_low.get(st.model, self.config.battery_low)
        if battery < low:
            return self._raise(st, "low_battery", now_ms, {"battery": battery, "below": low})
        if battery >= max(self.config.battery_ok, low + 10):
            return self._restore(st, "low_battery", now_ms)
        return []

    def _raise(
        self, st: DeviceState, kind: str, now_ms: int, evidence: dict[str, object]
    ) -> list[Detection]:
        if kind in st.faults:
            return []
        st.faults.append(kind)
        return [
            Detection(st.home_id, kind, Severity.TECHNICAL, now_ms, st.device_id, dict(evidence))
        ]

    def _restore(self, st: DeviceState, kind: str, now_ms: int) -> list[Detection]:
        if kind not in st.faults:
            return []
        st.faults.remove(kind)
        return [Detection(st.home_id, f"{kind}_restored", Severity.TECHNICAL, now_ms, st.device_id)]

    def _saved(self, found: list[Detection]) -> list[Detection]:
        self.flush()
        return found


def _offline_type(st: DeviceState) -> str:
    return "gateway_offline" if st.kind == DeviceKind.GATEWAY.value else "device_offline"


def _worn(body: object, st: DeviceState) -> bool:
    """A pendant on the person: its step count grows, it reads a pulse, or it was pressed."""
    if isinstance(body, contract.Reading):
        values = body.values
        steps_grew = values.steps is not None and st.steps >= 0 and values.steps > st.steps
        if values.steps is not None:
            st.steps = values.steps
        return values.heart_rate is not None or steps_grew
    return isinstance(body, contract.Sos | contract.Cancel | contract.Impact | contract.Fall)
