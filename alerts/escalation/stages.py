"""An escalation's timers: one per stage of its policy, and what firing one means (the messages
of that stage, and the stage's next re-notify round if it has rounds left)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from alerts.escalation.links import LinkSigner
from alerts.escalation.messages import Subject, compose
from alerts.escalation.policy import Policy
from stores.state.escalation import Firing, TimerRow

log = logging.getLogger(__name__)


def stage_timers(
    policy: Policy, alarm_id: str, generation: int, start_ms: int
) -> Sequence[TimerRow]:
    return [
        TimerRow(start_ms + int(s.after_s * 1000), alarm_id, generation, i, 0)
        for i, s in enumerate(policy.stages)
    ]


def firing(
    t: TimerRow, policy: Policy, subject: Subject, now: int, links: LinkSigner | None
) -> Firing:
    stage = policy.stages[t.stage]
    deliveries = compose(t, policy, subject, now, links)
    if not deliveries:
        log.warning("alarm %s stage %s: nobody to tell", t.alarm_id, stage.name)
    nxt = None
    if stage.renotify_s is not None and t.round + 1 < stage.max_rounds:
        due = t.due_ms + int(stage.renotify_s * 1000)
        nxt = TimerRow(due, t.alarm_id, t.generation, t.stage, t.round + 1)
    return Firing(t, deliveries, nxt)
