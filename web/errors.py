"""The one error shape the API answers and documents.

A route that refuses by hand raises `HTTPException(status, "message")`; FastAPI answers
`{"detail": "message"}`. Bad input the route itself finds (a date in the future, a weak password,
an actor that is not the caller) is a 400; 422 is left to FastAPI's request validation, whose
`detail` is a list of problems. `ERRORS` declares the hand-raised statuses for the OpenAPI
document (app-wide: every route that checks a caller can answer 401 and 403).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

MAX_SAFE = 2**53 - 1
"""The largest integer a query may carry (JavaScript's safe integers; SQLite's INTEGER would
overflow past 2**63 and answer 500)."""


class ErrorOut(BaseModel):
    """A refusal with one message for a person to read."""

    detail: str = Field(description="what was wrong, in words")


def _declared(description: str) -> dict[str, Any]:
    """Always JSON, also on routes whose own answer is a page or text (FastAPI would otherwise
    put a `model` under the route's media type)."""
    schema = ErrorOut.model_json_schema()
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS: dict[int | str, dict[str, Any]] = {
    400: _declared("the request is well-formed but its values cannot be used"),
    401: _declared("not signed in, or the bearer token is unknown or revoked"),
    403: _declared("signed in, but the role or CSRF token does not allow this"),
    404: _declared("no such thing, or not one the caller may see"),
    409: _declared("conflicts with the current state"),
    503: _declared("a part the answer depends on is not available"),
}
TOO_MANY: dict[int | str, dict[str, Any]] = {
    429: _declared("too many failed log-ins; try again after Retry-After seconds")
}
