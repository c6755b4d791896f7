"""`/api/checkins`: the monthly call-or-visit list (who is due), recording one, and the coverage
rate per community against the 100% target. Scoped to the caller's homes in the query."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, HTTPException, Query

from domain.access import Role
from domain.checkins import TARGET, Checkin, month_of, parse_month, with_month
from domain.clock import now_ms
from stores.state import checkins_query
from web.auth.audit_after import read_after
from web.deps import Audit, Ctx, CurrentUser
from web.routes.board_data import Parts, scope_of, visible_home
from web.routes.board_models import (
    CheckinBody,
    CheckinOut,
    CoverageOut,
    CoverageReport,
    DueOut,
    DuePage,
)

router = APIRouter(prefix="/api/checkins", tags=["checkins"])

Month = Annotated[
    str | None, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM; default: this month")
]


def _month(month: str | None, now: int) -> str:
    if month is None:
        return month_of(now)
    try:
        parse_month(month)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from exc
    return month


@router.get("", response_model=DuePage)
def due(
    *,
    ctx: Ctx,
    parts: Parts,
    user: CurrentUser,
    audit: Audit,
    tasks: BackgroundTasks,
    month: Month = None,
    community: Annotated[str | None, Query(max_length=100)] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> DuePage:
    """Residents not yet called or visited this month (a call nobody answered does not count)."""
    m = _month(month, now_ms(ctx.alarms.clock))
    total, rows = checkins_query.due(
        parts.homes, scope_of(user), m, community=community, offset=offset, limit=limit
    )
    read_after(tasks, audit, user, "checkin", [r.resident_id for r in rows], detail=f"due {m}")
    return DuePage(
        month=m,
        total=total,
        offset=offset,
        limit=limit,
        due=[_due(r) for r in rows],
    )


def _due(r: object) -> DueOut:
    names = DueOut.model_fields
    return DueOut(**{k: getattr(r, k) for k in names})


@router.get("/coverage", response_model=CoverageReport)
def coverage(*, ctx: Ctx, parts: Parts, user: CurrentUser, month: Month = None) -> CoverageReport:
    """Share of residents reached this month, per community and overall (target 100%)."""
    m = _month(month, now_ms(ctx.alarms.clock))
    rows = checkins_query.coverage(parts.homes, scope_of(user), m)

    def out(community: str, n: int, k: int) -> CoverageOut:
        rate = k / n if n else None
        return CoverageOut(
            community_id=community, month=m, residents=n, covered=k, rate=rate, target=TARGET,
            meets_target=None if rate is None else rate >= TARGET,
        )  # fmt: skip

    n_all, k_all = sum(r[1] for r in rows), sum(r[2] for r in rows)
    return CoverageReport(month=m, communities=[out(*r) for r in rows], all=out("*", n_all, k_all))


@router.post("", response_model=CheckinOut, status_code=201)
def record(
    *, ctx: Ctx, parts: Parts, user: CurrentUser, audit: Audit, body: CheckinBody
) -> CheckinOut:
    """Record a call or a visit (operators and admins)."""
    if user.role not in (Role.ADMIN, Role.OPERATOR):
        raise HTTPException(403, "only operators and admins record check-ins")
    resident = parts.state.get_resident(body.resident_id)
    if resident is None:
        raise HTTPException(404, f"no resident {body.resident_id}")
    try:
        home = visible_home(parts, user, resident.home_id)
    except HTTPException:
        raise HTTPException(404, f"no resident {body.resident_id}") from None
    now = now_ms(ctx.alarms.clock)
    at = body.at_ms if body.at_ms is not None else now
    if at > now + 60_000:
        raise HTTPException(400, "a check-in cannot be in the future")
    checkin = with_month(
        Checkin(
            uuid.uuid4().hex, resident.resident_id, home.home_id, home.community_id, body.kind,
            at, user.actor, body.result, body.note,
        ),
        home.timezone,
    )  # fmt: skip
    parts.board.add_checkin(checkin)
    audit.write(user, "checkin", [resident.resident_id], detail=f"{body.kind} {body.result}")
    return CheckinOut(
        checkin_id=checkin.checkin_id, resident_id=checkin.resident_id, kind=checkin.kind,
        result=checkin.result, at_ms=checkin.at_ms, month=checkin.month, actor=checkin.actor,
        note=checkin.note,
    )  # fmt: skip
