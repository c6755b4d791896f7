"""`anju device check`, part one: load the model file and decode every sample through it.

Each good sample must decode into contract messages whose values sit inside the ranges the model
declares, and each bad sample must be rejected with the reason its name gives. What the samples
decode to is kept (`Decoded`), so the live run (conformance_live) can check that the pipeline
stored and acted on exactly that. `check()` runs both parts and returns the Report.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import msgspec

from device_models.conformance_raw import CHECK_DEVICE, CHECK_HOME, check_time_ms, raw_output
from device_models.conformance_report import Outcome, Report, Verdict
from device_models.conformance_samples import Sample, SampleError, load_samples, sample_topic
from device_models.model import DeviceModel
from device_models.spec import CONTRACT_FIELDS, Capability, ModelError
from domain import contract
from domain.decode import Message
from domain.rejects import Rejected

log = logging.getLogger(__name__)
FieldValue = float | int | str | bool


@dataclass(frozen=True, slots=True)
class Seen:
    """One value a sample decoded to, for one capability."""

    sample: str
    kind: str  # "values", "status" or "event"
    key: str  # the field (values/status) or the event type
    value: FieldValue | None
    message: Message


@dataclass
class Decoded:
    """What the samples decoded to: per capability, per good sample, per bad sample."""

    at_ms: int = 0  # the time they were decoded at (the live run's clock starts there)

    seen: dict[str, list[Seen]] = field(default_factory=dict)  # capability name -> values
    messages: dict[str, list[Message]] = field(default_factory=dict)  # good sample -> messages
    rejected: dict[str, Rejected] = field(default_factory=dict)  # any sample -> why

    @property
    def device_ids(self) -> list[str]:
        found = {m.topic.device_id for ms in self.messages.values() for m in ms}
        return sorted(found) or [CHECK_DEVICE]

    @property
    def latest_ts(self) -> int | None:
        stamps = [m.ts for ms in self.messages.values() for m in ms if m.ts is not None]
        return max(stamps, default=None)


def contract_items(message: Message) -> Iterator[tuple[str, str, FieldValue | None]]:
    """(kind, key, value) of every field a message carries, in CONTRACT_FIELDS' terms."""
    body = message.body
    if isinstance(body, contract.Reading):
        for key, value in msgspec.structs.asdict(body.values).items():
            if value is not None:
                yield "values", key, value
    elif isinstance(body, contract.Status):
        if body.battery is not None:
            yield "status", "battery", body.battery
    elif isinstance(body, contract.EVENT_TYPES):
        tag = str(type(body).__struct_config__.tag)
        state = getattr(body, "state", None)
        yield "event", tag, state if isinstance(state, bool | str) else None


def capability_of(capabilities: tuple[Capability, ...], kind: str, key: str) -> Capability | None:
    for cap in capabilities:
        if (kind, key) in CONTRACT_FIELDS.get(cap.type, ()):
            return cap
    return None


def decode_samples(
    model: DeviceModel, samples: list[Sample], received_ms: int, report: Report
) -> Decoded:
    """Decode every sample; record per capability (and `samples`, `rejects`) what was seen."""
    decoded = Decoded(at_ms=received_ms)
    caps = tuple(model.capabilities)
    outcomes = {c.name: Outcome(c.name, c.type, c.care) for c in caps}
    sample_outcome = Outcome("samples", "decode", "")
    rejects = Outcome("rejects", "bad samples", "")
    for sample in samples:
        topic = sample_topic(model.match.topic, sample, CHECK_HOME, CHECK_DEVICE)
        result = model.decode(topic, sample.payload, received_ms)
        if not sample.good:
            _check_bad(sample, result, rejects, decoded)
            continue
        if isinstance(result, Rejected):
            decoded.rejected[sample.name] = result
            _blame(model, sample, received_ms, outcomes)
            sample_outcome.add(
                sample.name, Verdict.FAIL, f"rejected: {result.reason}: {result.detail}"
            )
            continue
        decoded.messages[sample.name] = list(result)
        unknown: list[str] = []
        for message in result:
            for kind, key, value in contract_items(message):
                cap = capability_of(caps, kind, key)
                if cap is None:
                    unknown.append(f"{kind} {key}")
                    continue
                decoded.seen.setdefault(cap.name, []).append(
                    Seen(sample.name, kind, key, value, message)
                )
                _check_range(cap, sample.name, key, value, outcomes[cap.name])
        if unknown:
            sample_outcome.add(
                sample.name, Verdict.FAIL, f"decodes to undeclared {', '.join(unknown)}"
            )
        else:
            what = ", ".join(_describe(m) for m in result) or "nothing"
            sample_outcome.add(sample.name, Verdict.PASS, f"decodes to {what}")
    for name, seen in decoded.seen.items():
        samples_of = sorted({s.sample for s in seen})
        outcomes[name].add(
            "decode",
            Verdict.PASS if not _failed(outcomes[name]) else Verdict.FAIL,
            f"{len(seen)} value(s) from {', '.join(samples_of)}",
        )
    report.outcomes.extend(outcomes.values())
    report.outcomes.append(sample_outcome)
    if rejects.checks:
        report.outcomes.append(rejects)
    return decoded


def _failed(outcome: Outcome) -> bool:
    return any(c.verdict is Verdict.FAIL for c in outcome.checks)


def _describe(message: Message) -> str:
    items = [f"{k}={v}" if v is not None else k for _kind, k, v in contract_items(message)]
    return f"{message.topic.channel}({', '.join(items)})"


def _check_range(
    cap: Capability, sample: str, key: str, value: FieldValue | None, outcome: Outcome
) -> None:
    if cap.range is None or not isinstance(value, int | float) or isinstance(value, bool):
        return
    low, high = cap.range
    if not low <= value <= high:
        outcome.add(
            f"range of {key}",
            Verdict.FAIL,
            f"{sample}: {value} is outside the declared range [{low:g}, {high:g}]",
        )


def _blame(
    model: DeviceModel, sample: Sample, received_ms: int, outcomes: dict[str, Outcome]
) -> None:
    """A good sample was rejected: look at the decoder's output to name the capability at
    fault (out of its declared range) and those that went unchecked with it."""
    raw = raw_output(model, sample, received_ms)
    caps = tuple(model.capabilities)
    for item in raw:
        channel = item.get("channel")
        nested = item.get("values")
        fields: dict[str, object] = nested if isinstance(nested, dict) else item
        if channel == "event":
            fields = {str(item.get("type")): None}
        kind = {"status": "status", "event": "event"}.get(str(channel), "values")
        for key, value in fields.items():
            cap = capability_of(caps, kind, str(key))
            if cap is None:
                continue
            low, high = cap.range if cap.range is not None else (-math.inf, math.inf)
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if isinstance(value, int | float) and number and not low <= value <= high:
                outcomes[cap.name].add(
                    f"range of {key}",
                    Verdict.FAIL,
                    f"{sample.name}: the decoder returned {value}, outside the declared range"
                    f" [{low:g}, {high:g}] (the message is rejected)",
                )
            else:
                outcomes[cap.name].add(
                    "decode",
                    Verdict.NOT_COVERED,
                    f"{sample.name}: {key}={value} went unchecked, the sample was rejected",
                )


def _check_bad(sample: Sample, result: object, rejects: Outcome, decoded: Decoded) -> None:
    if not isinstance(result, Rejected):
        rejects.add(sample.name, Verdict.FAIL, f"accepted, expected rejection `{sample.expect}`")
        return
    decoded.rejected[sample.name] = result
    if result.reason.value == sample.expect:
        rejects.add(sample.name, Verdict.PASS, f"rejected: {result.reason}: {result.detail}")
    else:
        rejects.add(
            sample.name,
            Verdict.FAIL,
            f"rejected as `{result.reason}`, expected `{sample.expect}` ({result.detail})",
        )


def check(model_file: Path, samples_dir: Path, *, live: bool = True) -> Report:
    """The whole check: load, decode the samples, then (if `live`) run them through Anju."""
    from device_models.loader import load_model

    started = time.monotonic()
    report = Report(str(model_file), str(samples_dir))
    try:
        model = load_model(model_file)
    except ModelError as exc:
        report.error = str(exc)
        return _done(report, started)
    report.model_id, report.title = model.id, f"{model.vendor} {model.model}"
    try:
        samples = load_samples(samples_dir)
        at_ms = check_time_ms(model, samples, int(time.time() * 1000))
        decoded = decode_samples(model, samples, at_ms, report)
    except SampleError as exc:
        report.error = str(exc)
        return _done(report, started)
    if live:
        from device_models.conformance_live import run_live

        try:
            run_live(model, samples, decoded, report)
        except Exception as exc:  # Anju itself failed to run: a verdict, never a traceback
            log.warning("device check: the live run failed", exc_info=True)
            failed = Outcome("live run", "pipeline")
            failed.add("start", Verdict.FAIL, f"the throwaway pipeline failed: {exc!r}"[:500])
            report.outcomes.append(failed)
    return _done(report, started)


def _done(report: Report, started: float) -> Report:
    report.seconds = time.monotonic() - started
    return report
