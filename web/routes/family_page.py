"""`/family`: the family page, phone first (Chinese by default; `?lang=en`, else the user's
language setting). The page is a shell; web/static/family.js reads /api/family/* and the live
feed. Staff may open `/family?resident=<id>` to see what a family sees (support).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from domain.access import Role
from web.app import HERE
from web.deps import PageUser, csrf_token
from web.i18n_family import PHRASES, STRINGS, TYPES, lang_of

router = APIRouter(tags=["pages"])
templates = Jinja2Templates(directory=HERE / "templates")


@router.get("/family", response_class=HTMLResponse)
def family_page(
    request: Request,
    user: PageUser,
    lang: Annotated[str | None, Query(max_length=10)] = None,
    resident: Annotated[str | None, Query(max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")] = None,
) -> HTMLResponse:
    code = lang_of(lang, user.language)
    t = STRINGS[code]
    if user.role is Role.INTEGRATOR:
        return HTMLResponse(t["forbidden"], status_code=403)
    page = {
        "t": t,
        "words": {
            "t": t,
            "types": {k: v[0] if code == "zh" else v[1] for k, v in TYPES.items()},
            "phrases": PHRASES[code],
        },
        "lang": code,
        "csrf_token": csrf_token(request),
        "user": user,
        "staff_resident": resident if user.role is not Role.FAMILY else None,
    }
    return templates.TemplateResponse(request, "family.html", page)
