"""Request dependencies: the parts `create_app` was given, and who is asking.

A caller is signed in by the page session cookie `anju_session` or by `Authorization: Bearer
<token>`. Cookie-authenticated unsafe requests (POST/PUT/PATCH/DELETE) must carry the session's
CSRF token in the `X-CSRF-Token` header or a `csrf_token` form field; bearer requests need none.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Annotated
from urllib.parse import parse_qs, quote

from fastapi import Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from domain.access import Principal, Role
from stores.state.alarm_scope import ScopedAlarms
from stores.state.sql import SqlStateStore
from web.app import WebContext
from web.auth.trail import AuditTrail

SESSION_COOKIE = "anju_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def context(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.ctx
    return ctx


Ctx = Annotated[WebContext, Depends(context)]


async def authenticate(request: Request) -> tuple[Principal, str | None] | None:
    """(principal, the session's CSRF token or None for a bearer token); None: not signed in.
    A bad bearer token is a 401 at once (a client that sends one expects it to work)."""
    ctx = context(request)
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise _unauthorized("Authorization header: 'Bearer <token>' expected")
        principal = await run_in_threadpool(ctx.auth.token, value.strip())
        if principal is None:
            raise _unauthorized("token unknown or revoked, or its user is disabled")
        return principal, None
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie or len(cookie) > 200:
        return None
    return await run_in_threadpool(ctx.auth.session, cookie)


async def current_user(request: Request) -> Principal:
    found = await authenticate(request)
    if found is None:
        raise _unauthorized("not signed in (log in at /login, or send a bearer token)")
    return await _signed_in(request, *found)


async def _signed_in(request: Request, principal: Principal, csrf: str | None) -> Principal:
    """A cookie session's unsafe request must carry its CSRF token; remember who it is."""
    if csrf is not None and request.method in UNSAFE:
        await check_csrf(request, csrf)
    request.state.principal = principal
    request.state.csrf_token = csrf or ""
    return principal


async def page_user(request: Request) -> Principal:
    """Like current_user, but a page sends whoever is not signed in to the log-in page."""
    found = await authenticate(request)
    if found is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise HTTPException(303, "log in first", headers={"Location": login_url(target)})
    return await _signed_in(request, *found)


def login_url(next_path: str) -> str:
    return "/login?next=" + quote(next_path, safe="/")


async def check_csrf(request: Request, expected: str) -> None:
    sent = request.headers.get(CSRF_HEADER)
    content_type = request.headers.get("content-type", "")
    if sent is None and content_type.startswith("application/x-www-form-urlencoded"):
        body = await request.body()
        if len(body) <= 64 * 1024:
            sent = parse_qs(body.decode("utf-8", "replace")).get(CSRF_FIELD, [None])[0]
    if not sent or not secrets.compare_digest(sent.encode(), expected.encode()):
        raise HTTPException(403, f"CSRF token missing or wrong ({CSRF_HEADER} header)")


def csrf_token(request: Request) -> str:
    """The signed-in session's CSRF token (pages render it into <meta name="csrf-token">)."""
    token: str = getattr(request.state, "csrf_token", "")
    return token


CurrentUser = Annotated[Principal, Depends(current_user)]
PageUser = Annotated[Principal, Depends(page_user)]


def require_roles(*roles: Role) -> Callable[..., Principal]:
    """`Depends(require_roles(Role.ADMIN))`: 403 for any other role."""
    allowed = frozenset(roles)

    def check(principal: CurrentUser) -> Principal:
        if principal.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise HTTPException(403, f"this needs the role {names}")
        return principal

    return check


def audit_trail(request: Request) -> AuditTrail:
    ctx = context(request)
    client = request.client
    return AuditTrail(
        ctx.auth.audit,
        ctx.auth.clock,
        method=request.method,
        path=request.url.path,
        ip=client.host if client else "",
        user_agent=request.headers.get("user-agent", ""),
    )


Audit = Annotated[AuditTrail, Depends(audit_trail)]


def scoped_alarms(request: Request) -> ScopedAlarms:
    """Alarm and home queries filtered by a HomeScope in SQL (made once per app)."""
    found: ScopedAlarms | None = getattr(request.app.state, "scoped_alarms", None)
    if found is None:
        store = context(request).state_store
        if not isinstance(store, SqlStateStore):
            raise HTTPException(503, "scoped queries need the SQL state store")
        found = request.app.state.scoped_alarms = ScopedAlarms(store)
    return found


Scoped = Annotated[ScopedAlarms, Depends(scoped_alarms)]


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(401, message, headers={"WWW-Authenticate": "Bearer"})
