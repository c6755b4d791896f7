"""`/api/alarms/{id}/escalation`: who has been told, on which channel, what comes next.

Reads the escalation rows kept beside the state (`app.state.escalation`, set by the
composition root); 404 when escalation is off, the alarm was never escalated or the caller may
not see the alarm. Who was told is personal data: every read is audited (alarm and contacts).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request

from alerts.escalation.assembly import Escalation
from alerts.escalation.policy import Policy
from web.deps import Audit, Ctx, CurrentUser
from web.routes.alarms import visible_alarm

router = APIRouter(prefix="/api/alarms", tags=["escalation"])

AlarmId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


@router.get("/{alarm_id}/escalation")
def escalation(
    request: Request, ctx: Ctx, user: CurrentUser, audit: Audit, alarm_id: AlarmId
) -> dict[str, Any]:
    visible_alarm(ctx, user, alarm_id)
    parts: Escalation | None = getattr(request.app.state, "escalation", None)
    if parts is None:
        raise HTTPException(404, "escalation is off")
    esc = parts.store.get(alarm_id)
    if esc is None:
        raise HTTPException(404, f"alarm {alarm_id} has no escalation")
    policy = Policy.from_json(esc.policy)
    deliveries = parts.store.deliveries(alarm_id)
    audit.read(user, "alarm", [alarm_id], detail="escalation")
    audit.read(user, "contacts", sorted({d.contact_id for d in deliveries}), detail=alarm_id)
    return {
        "alarm_id": alarm_id,
        "policy": policy.name,
        "active": esc.active,
        "stop_reason": esc.stop_reason,
        "generation": esc.generation,
        "incident": parts.engine.incident(alarm_id),
        "timers": [
            {
                "stage": policy.stages[t.stage].name,
                "generation": t.generation,
                "round": t.round,
                "due_ms": t.due_ms,
                "status": status,
                "fired_ms": fired,
            }
            for t, status, fired in parts.store.timers(alarm_id)
        ],
        "deliveries": [
            {
                "contact_id": d.contact_id,
                "role": d.role,
                "channel": d.channel,
                "stage": policy.stages[d.stage].name,
                "round": d.round,
                "status": d.status,
                "attempts": d.attempts,
                "sent_ms": d.sent_ms,
                "error": d.error,
            }
            for d in deliveries
        ],
    }
