"""`/l/{token}`: the one-tap "I'm handling it" link in family SMS and e-mail.

GET shows what happened and one button; only the POST accepts (link previewers in chat and
mail apps open URLs by themselves and must not take an alarm on someone's behalf). The signer
is `app.state.link_signer` (set by the composition root); without it the route answers 404.
No log-in: the signed link itself is the family member's credential (it comes by SMS), so every
read through it is written to the audit log as the link's contact.
"""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import HTMLResponse

from alerts.escalation.links import LinkClaim, LinkError, LinkSigner
from alerts.service import AlarmConflictError, AlarmNotFoundError
from alerts.texts import type_name
from domain.alarms import accepted_by
from web.auth.trail import AuditTrail
from web.deps import Audit, Ctx

router = APIRouter(tags=["links"])

Token = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.\-]{10,400}$")]

PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>安居 Anju</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:32em}}button{{font-size:1.4em;
padding:.6em 1.2em}}</style></head><body>{body}</body></html>"""


def _claim(request: Request, token: str) -> LinkClaim:
    signer: LinkSigner | None = getattr(request.app.state, "link_signer", None)
    if signer is None:
        raise HTTPException(404, "links are not enabled")
    try:
        return signer.verify(token)
    except LinkError as exc:
        raise HTTPException(403, str(exc)) from exc


def _audit(audit: AuditTrail, claim: LinkClaim, detail: str) -> None:
    contact = f"contact:{claim.contact_id}"
    audit.record(
        "read",
        "alarm",
        [claim.alarm_id],
        actor_id=contact,
        actor_name=contact,
        role="link",
        detail=detail,
    )


def _page(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(PAGE.format(body=body), status_code=status)


@router.get("/l/{token}", response_class=HTMLResponse)
def show(request: Request, ctx: Ctx, audit: Audit, token: Token) -> HTMLResponse:
    claim = _claim(request, token)
    alarm = ctx.alarms.get(claim.alarm_id)
    if alarm is None:
        raise HTTPException(404, "no such alarm")
    _audit(audit, claim, "one-tap link")
    home = ctx.alarms.home_info(alarm.home_id)
    where = escape(home.address) if home else ""
    what = f"{type_name(alarm.type, 'zh-CN')} / {type_name(alarm.type, 'en')}"
    taker = accepted_by(alarm)
    if taker is not None or not alarm.is_open:
        state = (
            f"已由 {escape(taker)} 处理 / taken by {escape(taker)}" if taker else "已结束 / closed"
        )
        return _page(f"<h1>{escape(what)}</h1><p>{where}</p><p>{state}</p>")
    return _page(
        f"<h1>{escape(what)}</h1><p>{where}</p>"
        f'<form method="post"><button type="submit">我来处理 · I\'m handling it</button></form>'
    )


@router.post("/l/{token}", response_class=HTMLResponse)
def accept(request: Request, ctx: Ctx, audit: Audit, token: Token) -> HTMLResponse:
    claim = _claim(request, token)
    _audit(audit, claim, "one-tap link: accept")
    try:
        ctx.alarms.accept(claim.alarm_id, f"family:{claim.contact_id}", "one-tap link")
    except AlarmNotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc
    except AlarmConflictError as exc:
        return _page(f"<p>{escape(str(exc))}</p>", 409)
    return _page("<h1>谢谢，已确认由您处理。</h1><p>Thank you: you are handling it.</p>")
