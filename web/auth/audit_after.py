"""Audit a read after its response is sent: the write is off the request's critical path.

The row is written by the same request (a Starlette background task, run once the response's
last byte is out), so it is not lost to a queue; under TestClient the call returns only after
it is written, so tests read it at once. A kind the trail does not know still fails at once.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import BackgroundTasks

from domain.access import Principal
from web.auth.trail import KINDS, AuditTrail


def read_after(
    tasks: BackgroundTasks,
    audit: AuditTrail,
    principal: Principal,
    kind: str,
    ids: Sequence[str],
    *,
    detail: str = "",
) -> None:
    """`audit.read(principal, kind, ids)` once this request's response has been sent."""
    if kind not in KINDS:
        raise ValueError(f"unknown audit kind {kind!r}")
    tasks.add_task(audit.read, principal, kind, list(ids), detail=detail)
