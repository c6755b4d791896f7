"""`/`: the operator board page (Chinese by default, `?lang=en` for English)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from web.app import HERE
from web.i18n import STRINGS, pick

router = APIRouter(tags=["pages"])
templates = Jinja2Templates(directory=HERE / "templates")


@router.get("/", response_class=HTMLResponse)
def board(
    request: Request, lang: Annotated[str | None, Query(max_length=10)] = None
) -> HTMLResponse:
    return templates.TemplateResponse(request, "board.html", {"t": STRINGS[pick(lang)]})
