"""A number larger than the database's INTEGER in a query is a 422, not a 500 (schemathesis found
GET /api/users?offset=... and GET /api/audit?since_ms=... answering 500 with OverflowError);
the same bound holds for times in bodies."""

from __future__ import annotations

from fastapi.testclient import TestClient

from domain.access import Role
from tests.web.auth_support import add_user, login
from tests.web.conftest import Board

HUGE = str(2**63)
PATHS = (
    "/api/users?offset=",
    "/api/audit?since_ms=",
    "/api/audit?until_ms=",
    "/api/audit?before_id=",
    "/api/homes/h1/readings?start_ms=",
    "/api/homes/h1/readings?end_ms=",
)


def test_numbers_past_the_database_integer_are_refused(board: Board, client: TestClient) -> None:
    login(client, add_user(board.store, Role.ADMIN, username="admin1"))
    for path in PATHS:
        r = client.get(path + HUGE)
        assert r.status_code == 422, (path, r.status_code, r.text)
        assert isinstance(r.json()["detail"], list)
    r = client.post("/api/homes/h1/away", json={"until_ms": 2**63})
    assert r.status_code == 422, r.text
