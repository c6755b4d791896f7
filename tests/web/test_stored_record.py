"""A stored health record that the write rules would refuse today (an older demo seeded the phone
"+86-demo") is still shown: reads never fail on stored data, writes are still checked."""

from __future__ import annotations

from fastapi.testclient import TestClient

from domain.access import Role
from domain.record import FamilyMember, ResidentRecord
from stores.state.records import BoardStore
from tests.web.auth_support import add_user, login
from tests.web.conftest import Board

OLD = ResidentRecord(
    "r1",
    registration="景洪市" * 100,  # longer than a write may be (200)
    family=(FamilyMember("玉香", "女儿", "+86-demo"),),
    language="z",  # shorter than a write may be (2)
)


def test_a_record_the_write_rules_refuse_is_still_read(board: Board, client: TestClient) -> None:
    BoardStore(board.store.engine).save_record(OLD)
    login(client, add_user(board.store, Role.ADMIN, username="admin1"))

    home = client.get("/api/homes/h1")
    assert home.status_code == 200, home.text
    record = home.json()["residents"][0]["record"]
    assert record["family"][0]["phone"] == "+86-demo"
    assert record["registration"] == OLD.registration and record["language"] == "z"
    resident = client.get("/api/residents/r1")
    assert resident.status_code == 200, resident.text
    assert resident.json()["resident"]["record"]["family"][0]["phone"] == "+86-demo"

    again = {"family": [{"name": "玉香", "relation": "女儿", "phone": "+86-demo"}]}
    refused = client.put("/api/residents/r1/record", json=again)
    assert refused.status_code == 422 and "phone" in refused.text
