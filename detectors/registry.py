"""The detectors behind ingest: every registered detector sees every accepted message.

`DetectorRegistry` is the ingest `Sink`: ingest calls `accept` on its worker thread after a
batch is stored, and each detector's `on_message` runs right there, in-process, without a
database round trip. A timer thread calls every detector's `tick` about once a second with the
injected clock's time (tests call `tick()` themselves after moving a ManualClock). Whatever the
detectors notice goes to the `DetectionHandler` (the alarm service).

A detector that raises is logged and counted; it never stops the others or ingest. Calls into
the detectors are serialised by one lock, so a detector never sees `on_message` and `tick` at
the same time and needs no locking of its own.

Adding a detector is one line in `builtin_detectors` (or `registry.register(detector)`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from prometheus_client import Counter, Histogram

from detectors.base import Detector
from domain.alarms import Detection
from domain.clock import Clock, now_ms
from domain.decode import Message
from domain.model import Device
from domain.ports import StateStore, TimeSeriesStore

log = logging.getLogger(__name__)

DETECTIONS = Counter("anju_detections_total", "detections raised", ["detector", "type"])
DETECTOR_ERRORS = Counter("anju_detector_errors_total", "exceptions in detectors", ["detector"])
DETECTOR_SECONDS = Histogram(
    "anju_detector_batch_seconds",
    "time the detectors spend on one ingest batch",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)


class DetectionHandler(Protocol):
    def handle(self, detections: Sequence[Detection]) -> None:
        """Take what the detectors noticed (turn it into alarms)."""
        ...


@dataclass(frozen=True)
class DetectorContext:
    """What a detector may need to build itself: stores for learned state and history."""

    state_store: StateStore
    ts_store: TimeSeriesStore
    clock: Clock


def builtin_detectors(ctx: DetectorContext) -> list[Detector]:
    """Every detector Anju runs: one line each. A detector that cannot be built (a broken model
    file, say) is logged and counted and left out; it never takes SOS down with it."""
    from detectors.sos import SosDetector

    def fall() -> Detector:
        from detectors.fall.detector import FallDetector

        return FallDetector(store=ctx.state_store)

    def activity() -> Detector:
        from detectors.activity.detector import ActivityDetector

        return ActivityDetector(ctx.state_store)

    def supervision() -> Detector:
        from detectors.supervision.detector import SupervisionDetector

        return SupervisionDetector(ctx.state_store)

    built: list[Detector] = [SosDetector()]
    for name, make in (("fall", fall), ("activity", activity), ("supervision", supervision)):
        try:
            built.append(make())
        except Exception:
            DETECTOR_ERRORS.labels(name).inc()
            log.exception("detector %s could not be built; running without it", name)
    return built


class DetectorRegistry:
    """Runs the registered detectors on accepted messages and on ticks (an ingest Sink)."""

    def __init__(
        self,
        handler: DetectionHandler,
        clock: Clock,
        detectors: Sequence[Detector] = (),
        *,
        tick_s: float = 1.0,
    ) -> None:
        self.handler = handler
        self.clock = clock
        self.tick_s = tick_s
        self._detectors: list[Detector] = list(detectors)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def register(self, detector: Detector) -> DetectorRegistry:
        with self._lock:
            self._detectors.append(detector)
        return self

    def configure_models(
        self, offline_after_s: Mapping[str, float], battery_low: Mapping[str, float]
    ) -> None:
        """Hand the device models' supervision windows and battery thresholds to the detectors
        that use them (those with `set_models`), at start and after every model reload."""
        with self._lock:
            for detector in self._detectors:
                set_models = getattr(detector, "set_models", None)
                if set_models is None:
                    continue
                try:
                    set_models(offline_after_s, battery_low)
                except Exception:
                    DETECTOR_ERRORS.labels(detector.name).inc()
                    log.exception("detector %s failed to take the device models", detector.name)

    @property
    def names(self) -> list[str]:
        with self._lock:
            return [d.name for d in self._detectors]

    # ---- the ingest Sink ------------------------------------------------------------------

    def accept(self, items: Sequence[tuple[Message, Device]]) -> None:
        started = time.perf_counter()
        found: list[Detection] = []
        at = now_ms(self.clock)
        with self._lock:
            for detector in self._detectors:
                fired: list[Detection] = []
                for message, device in items:
                    try:
                        fired.extend(detector.on_message(message, device, at))
                    except Exception:
                        DETECTOR_ERRORS.labels(detector.name).inc()
                        log.exception("detector %s failed on %s", detector.name, message.topic)
                self._count(detector, fired)
                found.extend(fired)
        DETECTOR_SECONDS.observe(time.perf_counter() - started)
        self._hand_over(found)

    # ---- time -----------------------------------------------------------------------------

    def tick(self) -> list[Detection]:
        """Let every detector see the clock's current time; returns (and hands over) what fired."""
        at = now_ms(self.clock)
        found: list[Detection] = []
        with self._lock:
            for detector in self._detectors:
                try:
                    fired = detector.tick(at)
                except Exception:
                    DETECTOR_ERRORS.labels(detector.name).inc()
                    log.exception("detector %s failed on tick", detector.name)
                    continue
                found.extend(fired)
                self._count(detector, fired)
        self._hand_over(found, always=True)  # also lets the handler retry what it could not save
        return found

    def start(self) -> DetectorRegistry:
        """Start the timer thread that ticks every `tick_s` seconds of wall time."""
        if self._thread is not None:
            return self
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="detector-ticks", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.tick_s):
            self.tick()

    # ---- helpers --------------------------------------------------------------------------

    @staticmethod
    def _count(detector: Detector, detections: Sequence[Detection]) -> None:
        for detection in detections:
            DETECTIONS.labels(detector.name, detection.type).inc()

    def _hand_over(self, detections: Sequence[Detection], *, always: bool = False) -> None:
        if not detections and not always:
            return
        try:
            self.handler.handle(detections)
        except Exception:
            log.exception("alarm handler failed on %d detections", len(detections))
