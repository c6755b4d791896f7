"""`/api/auth/*` and `/api/me`: log in and out (JSON), API tokens of the signed-in user."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request, Response
from pydantic import BaseModel, Field

from web.auth.login import log_in, log_out, set_session_cookie
from web.deps import Audit, Ctx, CurrentUser, csrf_token

router = APIRouter(tags=["auth"])

TokenId = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$", description="token id")]


class LoginBody(BaseModel):
    model_config = {"extra": "forbid"}
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class TokenBody(BaseModel):
    model_config = {"extra": "forbid"}
    name: str = Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f]+$")


@router.post("/api/auth/login")
async def api_login(request: Request, response: Response, body: LoginBody) -> dict[str, Any]:
    """Signs in with a session cookie; answers the CSRF token to send with unsafe requests.
    (A JSON body cannot be posted cross-site without CORS, so this needs no CSRF token.)"""
    result = await log_in(request, body.username, body.password)
    if result.retry_after > 0:
        raise HTTPException(
            429,
            f"too many failed log-ins; try again in {int(result.retry_after) + 1} s",
            headers={"Retry-After": str(int(result.retry_after) + 1)},
        )
    if result.principal is None:
        raise HTTPException(401, "wrong user name or password")
    set_session_cookie(response, request.app.state.ctx, result.cookie)
    return {"user": _me(result.principal), "csrf_token": result.csrf}


@router.post("/api/auth/logout")
async def api_logout(request: Request, response: Response, user: CurrentUser) -> dict[str, Any]:
    ended = await log_out(request, response)
    return {"logged_out": ended, "username": user.username}


@router.get("/api/me")
def me(request: Request, user: CurrentUser) -> dict[str, Any]:
    return {**_me(user), "csrf_token": csrf_token(request) or None}


@router.post("/api/auth/token", status_code=201)
def issue_token(ctx: Ctx, user: CurrentUser, audit: Audit, body: TokenBody) -> dict[str, Any]:
    """A named bearer token for the signed-in user; the token is shown only in this answer."""
    token, row = ctx.auth.issue_token(user.user_id, body.name)
    audit.write(user, "token", [row.token_id], detail=f"issued {body.name}")
    return {**row.public(), "token": token}


@router.get("/api/auth/token")
def list_tokens(ctx: Ctx, user: CurrentUser) -> dict[str, Any]:
    return {"tokens": [t.public() for t in ctx.auth.credentials.tokens_of(user.user_id)]}


@router.delete("/api/auth/token/{token_id}")
def revoke_token(ctx: Ctx, user: CurrentUser, audit: Audit, token_id: TokenId) -> dict[str, Any]:
    if not ctx.auth.revoke_token(user.user_id, token_id):
        raise HTTPException(404, f"no live token {token_id} of yours")
    audit.write(user, "token", [token_id], detail="revoked")
    return {"token_id": token_id, "revoked": True}


def _me(user: Any) -> dict[str, Any]:
    return {
        "user_id": user.user_id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role.value,
        "language": user.language,
        "communities": sorted(user.communities),
        "residents": sorted(user.residents),
        "homes": sorted(user.homes),
        "models": sorted(user.models),
    }
