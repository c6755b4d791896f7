"""What happens after a fall (pure logic, no I/O): cancel window, movement, long lie.

A fall (a classified impact window, or a device's own `fall` event) opens an episode for the
home with a confidence: the classifier's probability, or the device's. During the cancel
window the resident may press "I'm OK" (near miss, recorded); movement in the home lowers the
confidence and another fall-like impact raises it (odds are multiplied by a factor each time).
When the window ends, a confidence at or above `alarm_confidence` raises the fall alarm;
below it, the episode is recorded as a near miss (the person got up and moved). After the
alarm, `long_lie_s` without movement escalates as a long lie, then again every
`long_lie_repeat_s`, until `handover_movements` movements show people are about (the alarm
is then in human hands) or `episode_max_s` has passed. Every threshold is a field of
`FallSettings`, set per resident's home.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from domain.alarms import Detection, Severity

FALL = "fall"
NEAR_MISS = "fall_near_miss"
PENDING = "pending"
ALARMED = "alarmed"


@dataclass(frozen=True, slots=True)
class FallSettings:
    """Per-resident thresholds (documented in docs/fall-model-card.md)."""

    min_probability: float | None = None  # classifier probability that is a fall (None: model's)
    cancel_window_s: float = 60.0  # time to press "I'm OK" before the alarm goes out
    movement_factor: float = 0.5  # confidence odds x this per movement seen in the window
    fall_again_factor: float = 3.0  # odds x this per further fall-like impact
    alarm_confidence: float = 0.5  # at the end of the window: alarm at or above, else near miss
    device_fall_confidence: float = 0.9  # a device's fall event without its own confidence
    long_lie_s: float = 600.0  # no movement this long after the alarm: long lie
    long_lie_repeat_s: float = 600.0  # escalate again after each further stretch
    movement_resets_long_lie: bool = True  # long-lie time counts from the last movement
    handover_movements: int = 5  # after the alarm, this many movements end the follow-up
    episode_max_s: float = 4 * 3600.0  # stop following an alarmed episode after this


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


@dataclass(slots=True)
class Episode:
    home_id: str
    device_id: str
    source: str  # "impact" (Anju's classifier) or "device" (the device's own fall event)
    fall_ts_ms: int  # device time of the impact
    opened_ms: int  # Anju's time the fall arrived: every timer counts from here
    probability: float
    log_odds: float
    stage: str = PENDING
    movements: int = 0
    falls_again: int = 0
    last_movement_ms: int | None = None
    movements_after_alarm: int = 0
    alarmed_ms: int | None = None
    long_lie_level: int = 0
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def confidence(self) -> float:
        return 1.0 / (1.0 + math.exp(-self.log_odds))

    def evidence(self, now_ms: int, **extra: Any) -> dict[str, Any]:
        return {
            "source": self.source,
            "device": self.device_id,
            "impact_ts": self.fall_ts_ms,
            "probability": round(self.probability, 4),
            "confidence": round(self.confidence, 4),
            "movements": self.movements,
            "falls_again": self.falls_again,
            "since_fall_s": round((now_ms - self.opened_ms) / 1000, 1),
            **self.details,
            **extra,
        }


def open_episode(
    home_id: str,
    device_id: str,
    *,
    source: str,
    fall_ts_ms: int,
    now_ms: int,
    probability: float,
    details: dict[str, Any] | None = None,
) -> Episode:
    return Episode(
        home_id,
        device_id,
        source,
        fall_ts_ms,
        now_ms,
        probability,
        _logit(probability),
        details=dict(details or {}),
    )


def _detection(ep: Episode, type_: str, severity: Severity, now_ms: int, **extra: Any) -> Detection:
    return Detection(
        home_id=ep.home_id,
        type=type_,
        severity=severity,
        ts_ms=ep.fall_ts_ms,
        device_id=ep.device_id,
        evidence=ep.evidence(now_ms, **extra),
    )


def fall_again(ep: Episode, s: FallSettings, probability: float) -> None:
    ep.falls_again += 1
    ep.probability = max(ep.probability, probability)
    if ep.stage == PENDING:
        ep.log_odds += math.log(s.fall_again_factor)


def movement(ep: Episode, s: FallSettings, now_ms: int, what: str) -> None:
    ep.movements += 1
    ep.last_movement_ms = now_ms
    ep.details["last_movement"] = what
    if ep.stage == PENDING:
        ep.log_odds += math.log(s.movement_factor)
    else:
        ep.movements_after_alarm += 1


def cancel(ep: Episode, now_ms: int) -> list[Detection]:
    """The resident pressed "I'm OK". Before the alarm: a near miss; after: noted on the alarm."""
    if ep.stage == PENDING:
        return [_detection(ep, NEAR_MISS, Severity.MINOR, now_ms, outcome="cancelled")]
    return [_detection(ep, FALL, Severity.CRITICAL, now_ms, stage="resident_cancelled")]


def due(ep: Episode, s: FallSettings, now_ms: int) -> tuple[list[Detection], bool]:
    """Detections whose time has come, and whether the episode is over."""
    if ep.stage == PENDING:
        if now_ms - ep.opened_ms < s.cancel_window_s * 1000:
            return [], False
        if ep.confidence < s.alarm_confidence:
            return [_detection(ep, NEAR_MISS, Severity.MINOR, now_ms, outcome="moved")], True
        ep.stage, ep.alarmed_ms = ALARMED, now_ms
        return [_detection(ep, FALL, Severity.CRITICAL, now_ms, stage="fall")], False
    if now_ms - ep.opened_ms >= s.episode_max_s * 1000:
        return [], True
    if ep.movements_after_alarm >= s.handover_movements:  # people are about: theirs now
        return [], True
    still_since = ep.opened_ms
    if s.movement_resets_long_lie and ep.last_movement_ms is not None:
        still_since = max(still_since, ep.last_movement_ms)
    limit_ms = (s.long_lie_s + ep.long_lie_level * s.long_lie_repeat_s) * 1000
    if now_ms - still_since < limit_ms:
        return [], False
    ep.long_lie_level += 1
    lying_s = round((now_ms - still_since) / 1000, 1)
    return [
        _detection(
            ep,
            FALL,
            Severity.CRITICAL,
            now_ms,
            stage="long_lie",
            long_lie=True,
            long_lie_level=ep.long_lie_level,
            still_s=lying_s,
        )
    ], False


def alarms_in_recording(
    impact_s: list[float], probabilities: list[float], threshold: float, s: FallSettings
) -> int:
    """Fall alarms the live detector would raise for one recording's windows, nothing else seen.

    Times are impact times; a window at or above `threshold` opens an episode or counts as a
    fall again, a lower one is movement. Before each window the episode is advanced with `due`
    as the live ticks would have; after the recording nothing more is seen (no "I'm OK", no
    motion sensors), so only what the pendant itself showed can lower the confidence.
    """
    alarms = 0
    ep: Episode | None = None

    def advance(now: int) -> None:
        nonlocal alarms, ep
        while ep is not None:
            found, over = due(ep, s, now)
            alarms += sum(d.type == FALL for d in found)
            if over:
                ep = None
            if not found:
                return

    for t_s, p in sorted(zip(impact_s, probabilities, strict=True)):
        now = round(t_s * 1000)
        advance(now)
        if p >= threshold:
            if ep is None:
                ep = open_episode(
                    "", "", source="impact", fall_ts_ms=now, now_ms=now, probability=p
                )
            else:
                fall_again(ep, s, p)
        elif ep is not None:
            movement(ep, s, now, "impact")
    if ep is not None:
        advance(ep.opened_ms + round(s.cancel_window_s * 1000))
    return alarms
