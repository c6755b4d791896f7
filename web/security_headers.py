"""Response headers that keep the pages of a health-data service from being framed, sniffed or
made to run someone else's script.

Every answer: `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY` (the board's buttons
must not sit under another site's invisible frame), `Referrer-Policy: same-origin` (page URLs
hold resident ids). Anju's own HTML pages also get a Content-Security-Policy: scripts, styles,
data and the live feed from this origin only (inline styles allowed: the login page has one);
FastAPI's /docs and /redoc load their viewers from a CDN and keep no policy.

A plain ASGI wrapper, not Starlette's BaseHTTPMiddleware, so the live feed's stream is untouched.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
ALWAYS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
)
NO_POLICY = ("/docs", "/redoc")


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers.extend(h for h in ALWAYS if h[0] not in present)
                html = any(k.lower() == b"content-type" and v.startswith(b"text/html")
                           for k, v in headers)  # fmt: skip
                if html and not path.startswith(NO_POLICY):
                    headers.append((b"content-security-policy", CSP.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
