"""One log-in step shared by the page form and the JSON API: check, throttle, audit, session."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from domain.access import Principal
from web.app import WebContext
from web.auth.service import LoginThrottledError
from web.auth.trail import AuditTrail
from web.deps import SESSION_COOKIE, audit_trail, context


@dataclass(frozen=True, slots=True)
class LoginResult:
    principal: Principal | None = None
    cookie: str = ""
    csrf: str = ""
    retry_after: float = 0.0  # > 0: throttled


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


async def log_in(request: Request, username: str, password: str) -> LoginResult:
    ctx = context(request)
    trail = audit_trail(request)
    return await run_in_threadpool(_log_in, ctx, trail, request, username, password)


def _log_in(
    ctx: WebContext, trail: AuditTrail, request: Request, username: str, password: str
) -> LoginResult:
    ip = client_ip(request)
    try:
        user_id = ctx.auth.check_password(username, password, ip)
    except LoginThrottledError as exc:
        trail.record(
            "throttled", "session", [], actor_id="", actor_name=username, role="", detail=str(exc)
        )
        return LoginResult(retry_after=exc.retry_after)
    principal = None if user_id is None else ctx.auth.users.principal(user_id)
    if user_id is None or principal is None:
        trail.record("login_fail", "session", [], actor_id="", actor_name=username, role="")
        return LoginResult()
    cookie, csrf = ctx.auth.start_session(user_id, ip, request.headers.get("user-agent", ""))
    trail.record(
        "login",
        "session",
        [user_id],
        actor_id=user_id,
        actor_name=principal.username,
        role=principal.role.value,
    )
    return LoginResult(principal, cookie, csrf)


def set_session_cookie(response: Response, ctx: WebContext, cookie: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=int(ctx.auth.options.session_hours * 3600),
        path="/",
        httponly=True,
        samesite="lax",
        secure=ctx.auth.options.cookie_secure,
    )


async def log_out(request: Request, response: Response) -> bool:
    ctx = context(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    response.delete_cookie(SESSION_COOKIE, path="/")
    if not cookie:
        return False
    return await run_in_threadpool(ctx.auth.end_session, cookie)
