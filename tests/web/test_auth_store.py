"""Users, scopes, sessions, tokens and the audit log on real SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from domain.access import Role
from domain.clock import ManualClock
from domain.model import Home, Resident
from stores.state.audit import AuditEvent, AuditQuery
from stores.state.sql import SqlStateStore
from stores.state.users import UserExistsError, UserStore
from tests.conftest import sql_store
from tests.web.auth_support import PASSWORD
from web.auth import passwords
from web.auth.service import Auth, AuthOptions, LoginThrottledError


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStateStore]:
    with sql_store(request.param, tmp_path) as s:
        yield s


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about rows and throttling: argon2id at test cost keeps them fast on a busy
    machine (the production cost is checked in test_access_sessions.py)."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", cheap)
    monkeypatch.setattr(passwords, "_DUMMY", cheap.hash("no-such-user"))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def auth(store: SqlStateStore, clock: ManualClock) -> Auth:
    store.upsert_home(Home("h1", "c1"))
    store.upsert_resident(Resident("r1", "h1", "岩温"))
    users = UserStore(store.engine, schema=store.schema)
    return Auth(users, clock, AuthOptions(session_hours=1, login_max_failures=3, login_lock_s=60))


def test_users_keep_an_argon2_hash_and_their_scopes(auth: Auth) -> None:
    user = auth.create_user("fam1", Role.FAMILY, PASSWORD, residents=["r1"], display_name="小李")
    with pytest.raises(UserExistsError):
        auth.create_user("fam1", Role.FAMILY, PASSWORD)
    found = auth.users.credentials("fam1")
    assert found is not None and found[0] == user.user_id
    assert found[1].startswith("$argon2id$") and PASSWORD not in found[1]
    principal = auth.users.principal(user.user_id)
    assert principal is not None
    assert principal.residents == {"r1"} and principal.homes == {"h1"}
    assert principal.display_name == "小李"
    changed = auth.users.update_user(
        user.user_id, 5, role=Role.OPERATOR, communities=["c1", "c2"], residents=[]
    )
    assert changed is not None and changed.role is Role.OPERATOR
    assert changed.communities == {"c1", "c2"} and changed.residents == frozenset()
    assert [u.username for u in auth.users.list_users(role=Role.OPERATOR)] == ["fam1"]


def test_sessions_end_on_logout_disable_and_expiry(auth: Auth, clock: ManualClock) -> None:
    user = auth.create_user("op1", Role.OPERATOR, PASSWORD, communities=["c1"])
    cookie, csrf = auth.start_session(user.user_id)
    found = auth.session(cookie)
    assert found is not None and found[0].username == "op1" and found[1] == csrf
    auth.end_session(cookie)
    assert auth.session(cookie) is None
    cookie, _ = auth.start_session(user.user_id)
    auth.set_disabled(user.user_id, True)
    assert auth.session(cookie) is None
    auth.set_disabled(user.user_id, False)
    cookie, _ = auth.start_session(user.user_id)
    clock.advance(3599)
    assert auth.session(cookie) is not None
    clock.advance(2)
    assert auth.session(cookie) is None
    auth.start_session(user.user_id)  # an hour on: the expired rows are purged
    sessions = auth.credentials._sessions
    with auth.users.engine.connect() as conn:
        left = conn.execute(sessions.select()).all()
    assert [r.session_hash for r in left] != [] and all(r.expires_ms > auth.now_ms() for r in left)


def test_tokens_are_hashed_and_die_when_revoked(auth: Auth) -> None:
    user = auth.create_user("int1", Role.INTEGRATOR, PASSWORD, models=["acme-pir"])
    token, row = auth.issue_token(user.user_id, "ci")
    stored = auth.users.engine.connect()
    try:
        hashes = [r.token_hash for r in stored.execute(auth.credentials._tokens.select())]
    finally:
        stored.close()
    assert token not in hashes and len(hashes) == 1
    principal = auth.token(token)
    assert principal is not None and principal.models == {"acme-pir"}
    assert auth.token("anju_nope") is None and auth.token("garbage") is None
    assert auth.revoke_token(user.user_id, row.token_id)
    assert not auth.revoke_token(user.user_id, row.token_id)
    assert auth.token(token) is None
    assert [t.revoked_ms is not None for t in auth.credentials.tokens_of(user.user_id)] == [True]


def test_login_throttles_after_failures_for_a_while(auth: Auth, clock: ManualClock) -> None:
    auth.create_user("op2", Role.OPERATOR, PASSWORD)
    for _ in range(3):
        assert auth.check_password("op2", "wrong-password", "10.0.0.1") is None
    with pytest.raises(LoginThrottledError) as caught:
        auth.check_password("op2", PASSWORD, "10.0.0.2")  # the user name is locked
    assert 0 < caught.value.retry_after <= 60
    clock.advance(61)
    assert auth.check_password("op2", PASSWORD, "10.0.0.2") is not None


def test_audit_search_by_actor_subject_kind_time_and_page(auth: Auth) -> None:
    audit = auth.audit
    for i in range(5):
        audit.add(AuditEvent(1000 + i, "u1", "op1", "operator", "read", "alarm", (f"a{i}", "a9")))
    audit.add(AuditEvent(2000, "u2", "fam1", "family", "read", "resident", ("r1",)))
    assert [e.actor_name for e in audit.search(AuditQuery(subject_id="r1"))] == ["fam1"]
    assert len(audit.search(AuditQuery(subject_id="a9", kind="alarm"))) == 5
    assert audit.search(AuditQuery(subject_id="a9", kind="resident")) == []
    page1 = audit.search(AuditQuery(actor="op1", limit=2))
    assert [e.subject_ids for e in page1] == [("a4", "a9"), ("a3", "a9")]
    page2 = audit.search(AuditQuery(actor="u1", limit=2, before_id=page1[-1].id))
    assert [e.at_ms for e in page2] == [1002, 1001]
    window = audit.search(AuditQuery(since_ms=1001, until_ms=1003))
    assert sorted(e.at_ms for e in window) == [1001, 1002]


def test_one_address_is_locked_only_after_many_names_failed(
    store: SqlStateStore, clock: ManualClock
) -> None:
    users = UserStore(store.engine, schema=store.schema)
    auth = Auth(users, clock, AuthOptions(login_max_failures=1, login_lock_s=60))
    auth.create_user("op3", Role.OPERATOR, PASSWORD)
    for i in range(9):  # 1 failure locks a name; an address (a proxy?) gets 10 times more
        assert auth.check_password(f"nobody{i}", "wrong-password", "10.0.0.9") is None
    assert auth.check_password("op3", PASSWORD, "10.0.0.9") is not None
    assert auth.check_password("nobody-else", "wrong-password", "10.0.0.9") is None
    with pytest.raises(LoginThrottledError):
        auth.check_password("op3", PASSWORD, "10.0.0.9")
    assert auth.check_password("op3", PASSWORD, "10.0.0.10") is not None
