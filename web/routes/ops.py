"""`/healthz` (every configured check) and `/metrics` (Prometheus text)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field

from web.deps import Ctx

router = APIRouter(tags=["operations"])


class HealthOut(BaseModel):
    status: str = Field(description="ok, or failing when any check is not ok")
    checks: dict[str, str] = Field(description="ok, failing or the error, per check")


@router.get(
    "/healthz",
    responses={
        200: {"model": HealthOut, "description": "every check is ok"},
        503: {"model": HealthOut, "description": "a check is failing"},
    },
)
def healthz(ctx: Ctx) -> JSONResponse:
    checks: dict[str, Any] = {}
    for name, check in ctx.health.items():
        try:
            checks[name] = "ok" if check() else "failing"
        except Exception as exc:
            checks[name] = f"error: {type(exc).__name__}: {exc}"[:300]
    ok = all(v == "ok" for v in checks.values())
    body = {"status": "ok" if ok else "failing", "checks": checks}
    return JSONResponse(body, status_code=200 if ok else 503)


@router.get("/metrics", response_class=PlainTextResponse)
def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
