"""`/api/audit`: the admin searches who read or changed what (newest first, paged)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from domain.access import Principal, Role
from stores.state.audit import MAX_SUBJECTS, AuditQuery
from web.deps import Audit, Ctx, require_roles
from web.errors import MAX_SAFE

router = APIRouter(prefix="/api/audit", tags=["audit"])

Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
Text = Annotated[str | None, Query(max_length=120, pattern=r"^[^\x00-\x1f]+$")]


@router.get("")
def search(
    *,
    ctx: Ctx,
    admin: Admin,
    audit: Audit,
    user: Annotated[Text, Query(description="user id or username")] = None,
    kind: Annotated[
        str | None,
        Query(pattern="^[a-z]{1,16}$", description="home, resident, alarm, readings, ..."),
    ] = None,
    subject_id: Annotated[Text, Query(description="the id that was read")] = None,
    action: Annotated[str | None, Query(pattern="^[a-z_]{1,16}$")] = None,
    since_ms: Annotated[int | None, Query(ge=0, le=MAX_SAFE)] = None,
    until_ms: Annotated[int | None, Query(ge=0, le=MAX_SAFE)] = None,
    before_id: Annotated[
        int | None, Query(ge=1, le=MAX_SAFE, description="next page: the last id")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    subjects: Annotated[
        int, Query(ge=0, le=MAX_SUBJECTS, description="ids listed per event; count is all")
    ] = 20,
) -> dict[str, Any]:
    query = AuditQuery(user, kind, subject_id, action, since_ms, until_ms, before_id, limit)
    events = ctx.auth.audit.search(query, subjects=subjects)
    audit.read(admin, "audit", [str(e.id) for e in events])
    last = events[-1].id if len(events) == limit else None
    return {"events": [e.public() for e in events], "next_before_id": last}
