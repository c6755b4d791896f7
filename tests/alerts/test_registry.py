from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import pytest

from detectors.registry import DetectorContext, DetectorRegistry, builtin_detectors
from domain.alarms import Detection, Severity
from domain.clock import ManualClock, now_ms
from domain.decode import Message
from domain.model import Device
from tests.alerts.fakes import MemoryStateStore
from tests.alerts.helpers import button, reading, sos


class Collect:
    def __init__(self) -> None:
        self.got: list[Detection] = []
        self.event = threading.Event()

    def handle(self, detections: Sequence[Detection]) -> None:
        self.got.extend(detections)
        self.event.set()


class QuietFor:
    """A toy waiting detector: fires once `quiet_ms` after the last message it saw."""

    name = "quiet"

    def __init__(self, quiet_ms: int) -> None:
        self.quiet_ms = quiet_ms
        self.last: int | None = None

    def on_message(self, message: Message, device: Device, now_ms: int) -> list[Detection]:
        self.last = now_ms
        return []

    def tick(self, now_ms: int) -> list[Detection]:
        if self.last is not None and now_ms - self.last >= self.quiet_ms:
            self.last = None
            return [Detection("h1", "quiet", Severity.MAJOR, now_ms)]
        return []


class Broken:
    name = "broken"

    def on_message(self, message: Message, device: Device, now_ms: int) -> list[Detection]:
        raise RuntimeError("bug")

    def tick(self, now_ms: int) -> list[Detection]:
        raise RuntimeError("bug")


def test_builtin_detectors_turn_an_accepted_sos_into_a_detection() -> None:
    clock = ManualClock()
    sink = Collect()
    ctx = DetectorContext(MemoryStateStore(), None, clock)  # type: ignore[arg-type]
    registry = DetectorRegistry(sink, clock, builtin_detectors(ctx))
    assert "sos" in registry.names
    registry.accept([(reading(), button(device="pend1")), (sos(), button())])
    assert [d.type for d in sink.got] == ["sos"]


def test_a_broken_detector_does_not_stop_the_others() -> None:
    clock = ManualClock()
    sink = Collect()
    registry = DetectorRegistry(sink, clock).register(Broken())
    from detectors.sos import SosDetector

    registry.register(SosDetector())
    registry.accept([(sos(), button())])
    assert [d.type for d in sink.got] == ["sos"]
    assert registry.tick() == []


def test_tick_follows_the_injected_clock() -> None:
    clock = ManualClock()
    sink = Collect()
    registry = DetectorRegistry(sink, clock).register(QuietFor(3_600_000))
    registry.accept([(reading(), button(device="pend1"))])
    clock.advance(3599)
    assert registry.tick() == []
    clock.advance(1)
    fired = registry.tick()
    assert [d.type for d in fired] == ["quiet"]
    assert fired[0].ts_ms == now_ms(clock)
    assert sink.got == fired


def test_timer_thread_ticks_by_itself() -> None:
    clock = ManualClock()
    sink = Collect()
    registry = DetectorRegistry(sink, clock, tick_s=0.02).register(QuietFor(1000))
    registry.accept([(reading(), button(device="pend1"))])
    registry.start()
    try:
        clock.advance(5)
        assert sink.event.wait(2.0)
    finally:
        registry.stop()
    started = time.monotonic()
    registry.stop()
    assert time.monotonic() - started < 0.5
    assert [d.type for d in sink.got] == ["quiet"]


def test_a_detector_that_cannot_be_built_does_not_take_sos_down(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import detectors.fall.detector as fall

    def broken(*_: object, **__: object) -> None:
        raise ValueError("model file does not match")

    monkeypatch.setattr(fall, "FallDetector", broken)
    clock = ManualClock()
    ctx = DetectorContext(MemoryStateStore(), None, clock)  # type: ignore[arg-type]
    names = [d.name for d in builtin_detectors(ctx)]
    assert "sos" in names and "fall" not in names
