"""Request dependencies: the parts `create_app` was given."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from web.app import WebContext


def context(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.ctx
    return ctx


Ctx = Annotated[WebContext, Depends(context)]
