"""Log in and out: the `/login` page (Chinese by default, `?lang=en`), `/api/auth/*` (JSON),
`/api/me`, and the API tokens of the signed-in user.

The log-in form is protected from cross-site posting by a double-submit token: a random value
in a cookie only /login receives, repeated in a hidden field.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from web.app import HERE
from web.auth.login import log_in, log_out, set_session_cookie
from web.deps import Audit, Ctx, CurrentUser, authenticate, check_csrf, csrf_token
from web.errors import TOO_MANY
from web.i18n import pick
from web.i18n_auth import AUTH_STRINGS

router = APIRouter(tags=["auth"])
templates = Jinja2Templates(directory=HERE / "templates")
LOGIN_CSRF_COOKIE = "anju_login_csrf"
Lang = Annotated[str | None, Query(max_length=10)]

TokenId = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$", description="token id")]


class LoginBody(BaseModel):
    model_config = {"extra": "forbid"}
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class TokenBody(BaseModel):
    model_config = {"extra": "forbid"}
    name: str = Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f]+$")


@router.post(
    "/api/auth/login",
    responses=TOO_MANY,
)
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


# ---- pages ---------------------------------------------------------------------------------


def safe_next(target: str | None) -> str:
    """Only a path of this site (no scheme, no host, no //) may follow a log-in."""
    if not target or len(target) > 500 or not target.startswith("/"):
        return "/"
    if target.startswith(("//", "/\\")) or any(c in target for c in "\r\n\\"):
        return "/"
    return target


def _login_page(
    request: Request,
    lang: str | None,
    *,
    next_path: str = "/",
    message: str = "",
    note: str = "",
    username: str = "",
    status: int = 200,
) -> HTMLResponse:
    code = pick(lang)
    csrf = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    query = urlencode({"lang": code})
    context = {
        "t": AUTH_STRINGS[code],
        "csrf": csrf,
        "next": safe_next(next_path),
        "message": message,
        "note": note,
        "username": username,
        "query": query,
    }
    response = templates.TemplateResponse(request, "login.html", context, status_code=status)
    response.set_cookie(
        LOGIN_CSRF_COOKIE, csrf, max_age=3600, path="/login", httponly=True, samesite="strict"
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request,
    lang: Lang = None,
    next: Annotated[str | None, Query(max_length=500)] = None,
    out: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    note = AUTH_STRINGS[pick(lang)]["logged_out"] if out else ""
    return _login_page(request, lang, next_path=next or "/", note=note)


@router.post("/login", response_class=HTMLResponse, response_model=None)
async def login_form(request: Request, lang: Lang = None) -> Response:
    t = AUTH_STRINGS[pick(lang)]
    body = await request.body()
    if len(body) > 16 * 1024:
        raise HTTPException(413, "form too large")
    form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
    username, password = form.get("username", "")[:64], form.get("password", "")[:200]
    next_path = safe_next(form.get("next"))
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    sent = form.get("csrf_token", "")
    if not expected or not secrets.compare_digest(sent.encode(), expected.encode()):
        return _login_page(request, lang, next_path=next_path, message=t["csrf"], status=403)
    if not username or not password:
        return _login_page(request, lang, next_path=next_path, message=t["wrong"], status=400)
    result = await log_in(request, username, password)
    if result.retry_after > 0:
        wait = int(result.retry_after) + 1
        page = _login_page(
            request, lang, next_path=next_path, message=t["throttled"].format(s=wait), status=429
        )
        page.headers["Retry-After"] = str(wait)
        return page
    if result.principal is None:
        return _login_page(
            request, lang, next_path=next_path, message=t["wrong"], username=username, status=401
        )
    response = RedirectResponse(next_path, status_code=303)
    set_session_cookie(response, request.app.state.ctx, result.cookie)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post(
    "/logout",
    response_class=RedirectResponse,
    status_code=303,
    responses={303: {"description": "signed out (when signed in); to the log-in page"}},
)
async def logout_form(request: Request, lang: Lang = None) -> Response:
    """The pages' log-out button (a form with csrf_token); then back to the log-in page."""
    response = RedirectResponse(f"/login?out=1&lang={pick(lang)}", status_code=303)
    found = await authenticate(request)
    if found is not None and found[1] is not None:
        await check_csrf(request, found[1])
        await log_out(request, response)
    return response


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
