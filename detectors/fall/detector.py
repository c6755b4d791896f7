"""The fall detector: classifies `impact` windows, follows every fall to an alarm or near miss.

- `impact` (the pendant's trigger fired): the window goes through `pipeline.analyse`, the path
  training and evaluation use. Probability >= the resident's threshold: a fall; a window that is
  not a fall while an episode is open counts as movement. A window that fails the input checks
  is counted by reason and reported as a technical detection (`fall_input_error`).
- `fall` (a device that detects falls itself): the same post-fall logic, its own confidence.
- `cancel` ("I'm OK"), `motion` (true), `door`, `bed`: cancel / movement for the open episode.

Open episodes survive a restart: they are saved as JSON through any object with
`load_blob`/`save_blob` (the StateStore) after every change; in memory when none is given.
Timers run on the `now_ms` the pipeline passes (the injected clock).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, fields
from typing import Protocol

from detectors.fall import post_fall
from detectors.fall.model import TreeModel, load
from detectors.fall.pipeline import analyse
from detectors.fall.post_fall import Episode, FallSettings
from domain import contract
from domain.alarms import Detection, Severity
from domain.decode import Message
from domain.model import Device

log = logging.getLogger(__name__)

BLOB_KEY = "fall/episodes"
INPUT_ERROR = "fall_input_error"


class BlobStore(Protocol):
    def load_blob(self, key: str) -> bytes | None: ...

    def save_blob(self, key: str, value: bytes) -> None: ...


class MemoryBlobStore:
    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}

    def load_blob(self, key: str) -> bytes | None:
        return self.blobs.get(key)

    def save_blob(self, key: str, value: bytes) -> None:
        self.blobs[key] = value


class FallDetector:
    name = "fall"

    def __init__(
        self,
        model: TreeModel | None = None,
        *,
        store: BlobStore | None = None,
        settings_for: Callable[[str], FallSettings] | None = None,
    ) -> None:
        self.model = model or load()
        self._store: BlobStore = store if store is not None else MemoryBlobStore()
        self._settings_for = settings_for or (lambda _home: FallSettings())
        self.input_errors: Counter[str] = Counter()
        self.windows_classified = 0
        self.episodes: dict[str, Episode] = self._load()

    def on_message(self, message: Message, device: Device, now_ms: int) -> list[Detection]:
        body = message.body
        home = device.home_id
        s = self._settings_for(home)
        ep = self.episodes.get(home)
        if isinstance(body, contract.Impact):
            return self._impact(body, device, s, now_ms)
        if isinstance(body, contract.Fall):
            p = body.confidence if body.confidence is not None else s.device_fall_confidence
            return self._fall(
                device,
                source="device",
                fall_ts_ms=body.ts,
                now_ms=now_ms,
                probability=p,
                details={},
            )
        if ep is None:
            return []
        if isinstance(body, contract.Cancel):
            del self.episodes[home]
            self._save()
            return post_fall.cancel(ep, now_ms)
        moved = (isinstance(body, contract.Motion) and body.state) or isinstance(
            body, contract.Door | contract.Bed
        )
        if moved:
            post_fall.movement(ep, s, now_ms, f"{type(body).__name__.lower()}:{device.device_id}")
            self._save()
        return []

    def _impact(
        self, body: contract.Impact, device: Device, s: FallSettings, now_ms: int
    ) -> list[Detection]:
        result = analyse(body.accel, self.model, fs=body.fs)
        if result.problem is not None:
            self.input_errors[result.problem.value] += 1
            return [
                Detection(
                    home_id=device.home_id,
                    type=INPUT_ERROR,
                    severity=Severity.TECHNICAL,
                    ts_ms=body.ts,
                    device_id=device.device_id,
                    evidence={"problem": result.problem.value, "detail": result.detail},
                )
            ]
        self.windows_classified += len(result.windows)
        threshold = s.min_probability if s.min_probability is not None else self.model.threshold_p
        best = max(result.windows, key=lambda w: w.probability, default=None)
        if best is not None and best.probability >= threshold:
            details = {
                "peak_g": round(best.peak_g, 2),
                "model_version": self.model.version,
                "notes": list(result.notes),
            }
            impact_ts = body.t0 + round(best.t_s * 1000)
            return self._fall(
                device,
                source="impact",
                fall_ts_ms=impact_ts,
                now_ms=now_ms,
                probability=best.probability,
                details=details,
            )
        ep = self.episodes.get(device.home_id)
        if ep is not None:
            post_fall.movement(ep, s, now_ms, f"impact:{device.device_id}")
            self._save()
        return []

    def _fall(
        self,
        device: Device,
        *,
        source: str,
        fall_ts_ms: int,
        now_ms: int,
        probability: float,
        details: dict[str, object],
    ) -> list[Detection]:
        home = device.home_id
        ep = self.episodes.get(home)
        if ep is not None:
            post_fall.fall_again(ep, self._settings_for(home), probability)
        else:
            self.episodes[home] = post_fall.open_episode(
                home,
                device.device_id,
                source=source,
                fall_ts_ms=fall_ts_ms,
                now_ms=now_ms,
                probability=probability,
                details=details,
            )
        self._save()
        return self.tick_home(home, now_ms)

    def tick_home(self, home: str, now_ms: int) -> list[Detection]:
        ep = self.episodes.get(home)
        if ep is None:
            return []
        found, over = post_fall.due(ep, self._settings_for(home), now_ms)
        if over:
            del self.episodes[home]
        if found or over:
            self._save()
        return found

    def tick(self, now_ms: int) -> list[Detection]:
        found: list[Detection] = []
        for home in list(self.episodes):
            found.extend(self.tick_home(home, now_ms))
        return found

    def _save(self) -> None:
        doc = {home: asdict(ep) for home, ep in self.episodes.items()}
        self._store.save_blob(BLOB_KEY, json.dumps(doc, sort_keys=True).encode())

    def _load(self) -> dict[str, Episode]:
        raw = self._store.load_blob(BLOB_KEY)
        if not raw:
            return {}
        known = {f.name for f in fields(Episode)}
        try:
            return {
                home: Episode(**{k: v for k, v in saved.items() if k in known})
                for home, saved in json.loads(raw).items()
            }
        except (ValueError, TypeError, AttributeError):
            log.exception("unreadable fall episodes in %s; starting without them", BLOB_KEY)
            self.input_errors["unreadable_state"] += 1
            return {}
