"""Property-based API tests (schemathesis) against the app's own OpenAPI document: every operation
with generated input, signed in as admin through a bearer token, must never answer 5xx unless the
document says so (`/healthz` answers 503 here: this app has no broker), and every answer must have a
documented status code, schema and content type (a hand-raised refusal is `{"detail": "..."}`,
declared app-wide in web/errors.py). Bounded: a few examples per operation, no shrinking, well
under a minute.

Not generated: `/api/feed` (a stream that never ends) and the log-in forms (each try costs a
production argon2 hash and feeds the throttle)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.result import Ok

from anju.settings import Settings
from anju.wiring import Anju, build
from broker.mosquitto import free_port
from domain.access import Role
from domain.alarms import Detection, Severity
from tests.e2e.helpers import provision
from tests.web.auth_support import add_user, token_for

SKIPPED = r"^/(api/feed|api/auth/login|login)$"
EXAMPLES = 4
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    status_code_conformance,
]
# Its documented 503 (a failing check) is the answer here; a 500 is still undocumented.
DOCUMENTED_5XX = {"GET /healthz"}


@pytest.fixture(scope="module")
def anju(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Anju]:
    data = Path(tmp_path_factory.mktemp("schemathesis"))
    app = build(Settings(data_dir=data, http_port=free_port()), detectors=[])
    provision(app.state_store, "h1")
    app.alarms.on_detection(
        Detection("h1", "sos", Severity.CRITICAL, int(time.time() * 1000), "h1-sos")
    )
    add_user(app.app, Role.ADMIN, username="admin")
    yield app
    app.ts_store.close()
    app.state_store.close()


@pytest.fixture(scope="module")
def admin(anju: Anju) -> dict[str, str]:
    return token_for(anju.app, "admin")


def try_operation(operation: Any, headers: dict[str, str]) -> None:
    """A few generated cases of one operation, each called and checked; raises what failed."""
    checks = CHECKS
    if f"{operation.method.upper()} {operation.path}" in DOCUMENTED_5XX:
        checks = [c for c in CHECKS if c is not not_a_server_error]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def answers_well(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=checks)

    answers_well()


def test_no_5xx_and_answers_match_the_schema(anju: Anju, admin: dict[str, str]) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", anju.app).exclude(path_regex=SKIPPED)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        operations += 1
        try:
            try_operation(operation, admin)
        except (Exception, BaseExceptionGroup) as exc:  # every operation is tried; all reported
            failures.append(f"{operation.method.upper()} {operation.path}: {exc!r}"[:3000])
    assert operations > 40, operations
    assert not failures, "\n\n".join(failures)
