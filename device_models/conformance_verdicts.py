"""What the live run checks, capability by capability, once the samples are published.

Order matters: samples other than falls and cancels go first, then the falls (nothing may move
after them, or the fall detector would count it as the person getting up), then the clock runs
through the fall detector's cancel window, then the cancels, then the clock runs through the
model's offline window.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Protocol

from device_models.conformance import Decoded, Seen
from device_models.conformance_report import Outcome, Report, Verdict
from device_models.conformance_samples import Sample
from device_models.model import DeviceModel
from domain import contract
from domain.alarms import Alarm
from domain.points import Point

FALL_WAIT_S = 600.0  # longest the check waits (on the injected clock) for a fall alarm
FALL_STEP_S = 5.0
MEASUREMENT = {"values": "reading", "status": "status", "event": "event"}


class LivePipeline(Protocol):
    """What the checks need of the throwaway Anju (conformance_live.Pipeline)."""

    def publish(self, topic: str, payload: bytes) -> None: ...

    def settle(self) -> bool: ...

    def tick_at(self, when_s: float) -> None: ...

    def now(self) -> float: ...

    def points(self) -> list[Point]: ...

    def alarms(self) -> list[Alarm]: ...

    def dead_letters(self) -> list[tuple[str, str, bytes]]: ...


class Verdicts:
    def __init__(
        self,
        model: DeviceModel,
        *,
        samples: list[Sample],
        decoded: Decoded,
        report: Report,
        pipeline: LivePipeline,
        topic_of: Callable[[Sample], str],
    ) -> None:
        self.model = model
        self.samples = samples
        self.decoded = decoded
        self.report = report
        self.pipe = pipeline
        self.topic_of = topic_of
        self.caps = {c.name: c for c in model.capabilities}

    def outcome(self, name: str) -> Outcome:
        found = self.report.outcome(name)
        if found is None:
            found = Outcome(name, name)
            self.report.outcomes.append(found)
        return found

    def _of_type(self, *types: str) -> list[str]:
        return [n for n, c in self.caps.items() if c.type in types and n in self.decoded.seen]

    def _has(self, sample: Sample, body_type: type) -> bool:
        return any(
            isinstance(m.body, body_type) for m in self.decoded.messages.get(sample.name, [])
        )

    def run(self) -> None:
        falls = [s for s in self.samples if s.good and self._has(s, contract.Fall)]
        cancels = [s for s in self.samples if s.good and self._has(s, contract.Cancel)]
        rest = [s for s in self.samples if s not in falls and s not in cancels]
        self.first_s = self.pipe.now()
        for sample in rest + falls:
            self.pipe.publish(self.topic_of(sample), sample.payload)
        if not self.pipe.settle():
            self._nothing_arrived()
            return
        self._acceptance([s for s in self.samples if s not in cancels])
        self._sos()
        self._battery_low()
        self._impact()
        self._fall()
        for sample in cancels:
            self.pipe.publish(self.topic_of(sample), sample.payload)
        self.pipe.settle()
        self._acceptance(cancels)
        self._stored()
        self._cancel()
        self._supervision()

    # ---- what arrived ----------------------------------------------------------------------

    def _nothing_arrived(self) -> None:
        detail = (
            f"the pipeline did not take the samples within the wait (published on"
            f" {self.model.match.topic!r}): does ingest subscribe to the model's topic?"
        )
        for outcome in self.report.outcomes:
            outcome.add("live", Verdict.FAIL, detail)

    def _acceptance(self, samples: list[Sample]) -> None:
        letters = self.pipe.dead_letters()
        for sample in samples:
            topic = self.topic_of(sample)
            reasons = [r for t, r, p in letters if t == topic and p == sample.payload]
            if sample.good:
                if sample.name not in self.decoded.messages:
                    continue  # its decode failure is reported already
                verdict = Verdict.FAIL if reasons else Verdict.PASS
                detail = f"rejected by ingest: {reasons[0]}" if reasons else "accepted by ingest"
                self.outcome("samples").add(f"{sample.name} live", verdict, detail)
            else:
                ok = sample.expect in reasons
                self.outcome("rejects").add(
                    f"{sample.name} live",
                    Verdict.PASS if ok else Verdict.FAIL,
                    f"dead letter `{sample.expect}`"
                    if ok
                    else f"no dead letter `{sample.expect}` (got {reasons or 'none'})",
                )

    def _stored(self) -> None:
        points = self.pipe.points()
        used: set[tuple[int, str]] = set()
        for name, seen in self.decoded.seen.items():
            missing = [s for s in seen if not _take(points, s, used)]
            outcome = self.outcome(name)
            if missing:
                first = missing[0]
                outcome.add(
                    "stored",
                    Verdict.FAIL,
                    f"{len(missing)} of {len(seen)} not in the time-series store, e.g."
                    f" {MEASUREMENT[first.kind]} {first.key}={first.value} from {first.sample}",
                )
            else:
                kinds = sorted({f"{MEASUREMENT[s.kind]} {s.key}" for s in seen})
                outcome.add("stored", Verdict.PASS, f"{len(seen)} stored as {', '.join(kinds)}")

    # ---- detectors -------------------------------------------------------------------------

    def _alarms(self, type_: str) -> list[Alarm]:
        ids = set(self.decoded.device_ids)
        return [a for a in self.pipe.alarms() if a.type == type_ and a.device_id in ids]

    def _sos(self) -> None:
        for name in self._of_type("sos"):
            found = self._alarms("sos")
            self.outcome(name).add(
                "alarm",
                Verdict.PASS if found and found[0].severity == "critical" else Verdict.FAIL,
                f"sos alarm raised, {found[0].severity}, {found[0].count} press(es)"
                if found
                else "no sos alarm was raised",
            )

    def _battery_low(self) -> None:
        from detectors.supervision.detector import SupervisionConfig

        for name in self._of_type("battery"):
            cap = self.caps[name]
            low = cap.low_below if cap.low_below is not None else SupervisionConfig().battery_low
            lows = [s for s in self.decoded.seen[name] if _num(s.value) < low]
            outcome = self.outcome(name)
            if not lows:
                outcome.add(
                    "low battery",
                    Verdict.NOT_COVERED,
                    f"no sample reads below {low:g} %: add one to prove the technical alarm",
                )
                continue
            found = self._alarms("low_battery")
            outcome.add(
                "low battery",
                Verdict.PASS if found and found[0].severity == "technical" else Verdict.FAIL,
                f"{lows[0].value} % ({lows[0].sample}) raised a technical low_battery alarm"
                if found
                else f"{lows[0].value} % ({lows[0].sample}) is below {low:g} % and raised nothing",
            )

    def _impact(self) -> None:
        for name in self._of_type("impact", "acceleration_window"):
            errors = self._alarms("fall_input_error")
            self.outcome(name).add(
                "fall classifier",
                Verdict.FAIL if errors else Verdict.PASS,
                f"windows refused: {errors[0].evidence}"
                if errors
                else "every window passed the classifier's input checks",
            )

    def _fall(self) -> None:
        names = self._of_type("fall_event")
        if not names:
            return
        start = self.pipe.now()
        waited = 0.0
        found = self._alarms("fall")
        while not found and waited < FALL_WAIT_S:
            waited += FALL_STEP_S
            self.pipe.tick_at(start + waited)
            found = self._alarms("fall")
        for name in names:
            if found:
                detail = f"fall alarm ({found[0].severity}) {waited:g} s after the fall event"
            else:
                near = self._alarms("fall_near_miss")
                detail = f"no fall alarm within {FALL_WAIT_S:g} s" + (
                    f" (a near miss instead: {near[0].evidence})" if near else ""
                )
            verdict = Verdict.PASS if found and found[0].severity == "critical" else Verdict.FAIL
            self.outcome(name).add("alarm", verdict, detail)

    def _cancel(self) -> None:
        for name in self._of_type("cancel"):
            falls = self._alarms("fall")
            if not falls:
                continue  # stored is all there is to see without a fall to cancel
            stage = falls[0].evidence.get("stage")
            self.outcome(name).add(
                "fall cancelled",
                Verdict.PASS if stage == "resident_cancelled" else Verdict.FAIL,
                f"the fall alarm notes stage {stage!r}",
            )

    def _supervision(self) -> None:
        outcome = self.outcome("supervision")
        outcome.type, outcome.care = "offline window", "technical"
        after = float(self.model.supervision.offline_after_s)
        kind = "gateway_offline" if str(self.model.kind) == "gateway" else "device_offline"
        last = self.pipe.now()
        early = self.first_s + after - 1
        if early > last:
            self.pipe.tick_at(early)
            raised = self._alarms(kind)
            outcome.add(
                "not early",
                Verdict.FAIL if raised else Verdict.PASS,
                f"{kind} already at {after - 1:g} s of silence"
                if raised
                else f"no alarm after {after - 1:g} s of silence",
            )
        self.pipe.tick_at(last + after + 1)
        raised = self._alarms(kind)
        outcome.add(
            "offline",
            Verdict.PASS if raised else Verdict.FAIL,
            f"{kind} ({raised[0].severity}) after {after + 1:g} s of silence"
            if raised
            else f"no {kind} alarm after {after + 1:g} s of silence (offline_after_s {after:g})",
        )


def _num(value: object) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _take(points: list[Point], seen: Seen, used: set[tuple[int, str]]) -> bool:
    """Find a stored point that carries what the sample decoded to (each point's field is
    matched once: two equal samples need two points)."""
    measurement = MEASUREMENT[seen.kind]
    for i, point in enumerate(points):
        if point.measurement != measurement or (i, seen.key) in used:
            continue
        fields = point.fields
        if seen.kind == "event":
            ok = fields.get("type") == seen.key and (
                seen.value is None or fields.get("state") == seen.value
            )
        else:
            ok = _same(fields.get(seen.key), seen.value)
        if ok:
            used.add((i, seen.key))
            return True
    return False


def _same(a: object, b: object) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b
