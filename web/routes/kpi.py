"""`/api/kpi`: call-centre figures (time to first acceptance, share within 60 s / 180 s)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from alerts.kpi import compute
from domain.clock import now_ms
from web.deps import Ctx

router = APIRouter(prefix="/api/kpi", tags=["kpi"])


@router.get("")
def kpi(
    ctx: Ctx,
    hours: Annotated[float, Query(gt=0, le=24 * 92, description="look back this many hours")] = 24,
    limit: Annotated[int, Query(ge=1, le=200_000)] = 50_000,
) -> dict[str, Any]:
    now = now_ms(ctx.alarms.clock)
    since = now - int(hours * 3600 * 1000)
    homes = {h.home_id: h for h in ctx.state_store.list_homes()}
    return compute(ctx.alarms.list(limit=limit), homes, now, since_ms=since)
