"""`/`: the operator board page (Chinese by default, `?lang=en` for English).

Signed-in staff only: whoever is not signed in goes to /login, a family member to their own
page (/family), an integrator gets 403 (no personal data). The template receives `csrf_token`
(for `<meta name="csrf-token">`) and `user`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from domain.access import Role
from web.app import HERE
from web.deps import PageUser, csrf_token
from web.i18n import STRINGS, pick
from web.i18n_auth import AUTH_STRINGS

router = APIRouter(tags=["pages"])
templates = Jinja2Templates(directory=HERE / "templates")


@router.get("/", response_class=HTMLResponse, response_model=None)
def board(
    request: Request, user: PageUser, lang: Annotated[str | None, Query(max_length=10)] = None
) -> HTMLResponse | RedirectResponse:
    code = pick(lang)
    if user.role is Role.FAMILY:
        return RedirectResponse(f"/family?lang={code}", status_code=303)
    if user.role is Role.INTEGRATOR:
        return HTMLResponse(AUTH_STRINGS[code]["forbidden"], status_code=403)
    context = {"t": STRINGS[code], "csrf_token": csrf_token(request), "user": user}
    return templates.TemplateResponse(request, "board.html", context)
