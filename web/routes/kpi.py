"""`/api/kpi`: call-centre figures (time to first acceptance, share within 60 s / 180 s).

An operator gets the figures of their own communities, the admin of all; nobody else.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from alerts.kpi import compute
from domain.access import Principal, Role, home_scope
from domain.clock import now_ms
from web.deps import Audit, Ctx, Scoped, require_roles

router = APIRouter(prefix="/api/kpi", tags=["kpi"])

Staff = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.OPERATOR))]


@router.get("")
def kpi(
    *,
    ctx: Ctx,
    user: Staff,
    audit: Audit,
    scoped: Scoped,
    hours: Annotated[float, Query(gt=0, le=24 * 92, description="look back this many hours")] = 24,
    limit: Annotated[int, Query(ge=1, le=200_000)] = 50_000,
) -> dict[str, Any]:
    now = now_ms(ctx.alarms.clock)
    since = now - int(hours * 3600 * 1000)
    scope = home_scope(user)
    # the window in SQL, and only the homes of its alarms: every alarm ever (up to `limit`)
    # and every home in scope took over a second under load
    alarms = scoped.alarms(scope, limit=limit, since_ms=since)
    homes = {h.home_id: h for h in scoped.homes(scope, {a.home_id for a in alarms})}
    audit.read(user, "kpi", scoped.communities(scope))
    return compute(alarms, homes, now, since_ms=since)
