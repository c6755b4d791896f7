"""The activity detector the pipeline runs: one `Home` model per home, persisted by key.

It implements `detectors.base.Detector`. Signs of life are motion, doors, beds, the
resident's own buttons; kitchen readings feed the heat and smoke rules. State is saved
through any object with `load_blob`/`save_blob` (the StateStore), right after an alarm and
otherwise every `checkpoint_s`, so timers and learned baselines survive a restart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo

from detectors.activity.baseline import GapHistogram, SensorSilences
from detectors.activity.config import ActivityConfig
from detectors.activity.home import Home
from detectors.activity.state import HomeState, Mode, decode, encode
from domain import contract
from domain.alarms import Detection
from domain.decode import Message
from domain.model import Device, DeviceKind, Room


class BlobStore(Protocol):
    def load_blob(self, key: str) -> bytes | None: ...

    def save_blob(self, key: str, value: bytes) -> None: ...

    def save_blobs(self, blobs: Mapping[str, bytes]) -> None: ...


def blob_key(home_id: str) -> str:
    return f"detector/activity/{home_id}"


class ActivityDetector:
    name = "activity"

    def __init__(
        self,
        store: BlobStore | None = None,
        *,
        default: ActivityConfig | None = None,
        timezone: str = "Asia/Shanghai",
        checkpoint_s: float = 300.0,
    ) -> None:
        self._store = store
        self._default = default or ActivityConfig()
        self._configs: dict[str, ActivityConfig] = {}
        self._zones: dict[str, tzinfo] = {}
        self._tz = ZoneInfo(timezone)
        self._homes: dict[str, Home] = {}
        self._dirty: set[str] = set()
        self._checkpoint_ms = int(checkpoint_s * 1000)
        self._last_checkpoint_ms = 0

    # ---- configuration -------------------------------------------------------------------
    def configure(self, home_id: str, config: ActivityConfig, timezone: str | None = None) -> None:
        """Per-resident settings (and the home's time zone)."""
        self._configs[home_id] = config
        if timezone:
            self._zones[home_id] = ZoneInfo(timezone)
        if home_id in self._homes:
            self._homes[home_id].cfg = config
            if timezone:
                self._homes[home_id].tz = self._zones[home_id]

    def set_mode(self, home_id: str, mode: Mode, now_ms: int, until_ms: int | None = None) -> None:
        """Away or visitor mode; it ends by itself at `until_ms` (or the configured maximum)."""
        self._home(home_id).set_mode(mode, now_ms, until_ms)
        self._save(home_id)

    def state(self, home_id: str) -> HomeState:
        return self._home(home_id).state

    # ---- Detector protocol ---------------------------------------------------------------
    def on_message(self, message: Message, device: Device, now_ms: int) -> list[Detection]:
        body = message.body
        if isinstance(body, contract.Status | contract.Availability | contract.CommandResult):
            return []
        home_id = device.home_id
        ts = min(body.ts, now_ms)
        home = self._home(home_id)
        found: list[Detection] = []
        if isinstance(body, contract.Reading):
            if device.kind is DeviceKind.ENVIRONMENT or device.room is Room.KITCHEN:
                found = home.kitchen(ts, body.values.temperature, body.values.smoke, None)
        elif isinstance(body, contract.SmokeAlarm):
            found = home.kitchen(ts, None, None, body.state)
        elif isinstance(body, contract.Motion):
            if body.state:
                found = home.observe(device.room, ts, sensor=device.device_id)
        elif isinstance(body, contract.Door):
            front = device.kind is DeviceKind.DOOR and device.room is Room.ENTRANCE
            found = home.observe(device.room, ts, front_door=front, sensor=device.device_id)
        elif isinstance(body, contract.Bed):
            found = home.observe(
                device.room or Room.BEDROOM, ts, bed=body.state, sensor=device.device_id
            )
        elif isinstance(body, contract.Cancel | contract.Sos):
            if isinstance(body, contract.Cancel) and home.state.prewarning is not None:
                home.state.latched = []  # "I'm OK": the silence is over
            last = Room(home.state.last_room) if home.state.last_room else None
            found = home.observe(device.room or last, ts, sensor=device.device_id)
        else:
            return []
        self._dirty.add(home_id)
        if found:
            self._save(home_id)
        return found

    def tick(self, now_ms: int) -> list[Detection]:
        found: list[Detection] = []
        for home_id, home in self._homes.items():
            if now_ms < home.state.next_due_ms:
                continue
            raised = home.evaluate(now_ms)
            self._dirty.add(home_id)
            if raised:
                found.extend(raised)
                self._save(home_id)
        if now_ms - self._last_checkpoint_ms >= self._checkpoint_ms:
            self.flush()
            self._last_checkpoint_ms = now_ms
        return found

    # ---- persistence ---------------------------------------------------------------------
    def flush(self) -> None:
        """Every changed home's state in one write (one transaction, not one per home: a
        checkpoint of 10,000 homes runs inside the registry's tick)."""
        dirty, self._dirty = self._dirty, set()
        if self._store is not None and dirty:
            self._store.save_blobs({blob_key(h): self.snapshot(h) for h in sorted(dirty)})

    def load(self, home_ids: Iterable[str]) -> None:
        for home_id in home_ids:
            self._home(home_id)

    def snapshot(self, home_id: str) -> bytes:
        home = self._home(home_id)
        home.state.gap_hist = home.hist.to_bytes()
        home.state.sensor_gaps = home.silences.to_bytes()
        raw = encode(home.state)
        home.state.gap_hist = home.state.sensor_gaps = b""
        return raw

    def restore(self, home_id: str, raw: bytes) -> None:
        state = decode(raw)
        hist = GapHistogram.from_bytes(state.gap_hist)
        silences = SensorSilences.from_bytes(state.sensor_gaps)
        state.gap_hist = state.sensor_gaps = b""
        self._homes[home_id] = Home(
            state, hist, self._config(home_id), self._zone(home_id), silences
        )

    def _save(self, home_id: str) -> None:
        self._dirty.discard(home_id)
        if self._store is not None:
            self._store.save_blob(blob_key(home_id), self.snapshot(home_id))

    def _home(self, home_id: str) -> Home:
        home = self._homes.get(home_id)
        if home is None:
            raw = self._store.load_blob(blob_key(home_id)) if self._store else None
            if raw:
                self.restore(home_id, raw)
                return self._homes[home_id]
            home = Home(
                HomeState(home_id), GapHistogram(), self._config(home_id), self._zone(home_id)
            )
            self._homes[home_id] = home
        return home

    def _config(self, home_id: str) -> ActivityConfig:
        return self._configs.get(home_id, self._default)

    def _zone(self, home_id: str) -> tzinfo:
        return self._zones.get(home_id, self._tz)
