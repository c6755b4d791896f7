"""Signing in from tests: make users, log a TestClient in, get a bearer token.

`login()` also puts the CSRF token into the client's default headers, so later POSTs work as
from the board; pop `X-CSRF-Token` from `client.headers` to test what happens without it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from domain.access import Role
from domain.clock import SystemClock
from stores.state.sql import SqlStateStore
from stores.state.users import UserStore
from tests.conftest import PG_URL, postgres_up, require
from web.auth.service import Auth

PASSWORD = "pw-Anju-2026"


def auth_of(store_or_app: Any) -> Auth:
    """The Auth of an app (or of an Anju bundle), or one over a SQL state store's database."""
    if isinstance(store_or_app, Auth):
        return store_or_app
    app = getattr(store_or_app, "app", store_or_app)
    if isinstance(app, FastAPI):
        auth: Auth = app.state.ctx.auth
        return auth
    engine = getattr(store_or_app, "engine", None)
    if engine is None:
        raise TypeError(f"cannot find users in {store_or_app!r}")
    return Auth(UserStore(engine, schema=getattr(store_or_app, "schema", None)), SystemClock())


def add_user(
    store: Any,
    role: Role | str,
    *,
    username: str | None = None,
    communities: Iterable[str] = (),
    residents: Iterable[str] = (),
    models: Iterable[str] = (),
    password: str = PASSWORD,
) -> str:
    """Creates the user (store: app, Anju, Auth or SQL state store); returns the username."""
    role = Role(role)
    name = username or f"{role.value}-{uuid.uuid4().hex[:8]}"
    auth_of(store).create_user(
        name, role, password, communities=communities, residents=residents, models=models
    )
    return name


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Signs `client` in (session cookie); returns the CSRF token (also set as a header)."""
    client.headers.pop("X-CSRF-Token", None)
    client.headers.pop("Authorization", None)
    r = client.post("/api/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    token: str = r.json()["csrf_token"]
    client.headers["X-CSRF-Token"] = token
    return token


def token_for(store_or_app: Any, username: str) -> dict[str, str]:
    """{"Authorization": "Bearer ..."} for a new API token of `username`."""
    auth = auth_of(store_or_app)
    user = auth.users.by_username(username)
    assert user is not None, f"no user {username}"
    token, _ = auth.issue_token(user.user_id, "test")
    return {"Authorization": f"Bearer {token}"}


def signed_in(app: FastAPI, role: Role | str, **scope: Any) -> TestClient:
    """A TestClient signed in as a new user of `role` (scope: communities/residents/models)."""
    client = TestClient(app)
    login(client, add_user(app, role, **scope))
    return client


@contextmanager
def sql_store(kind: str, tmp_path: Path) -> Iterator[SqlStateStore]:
    """A fresh state store on SQLite (a file) or PostgreSQL (a throwaway schema)."""
    if kind == "sqlite":
        store = SqlStateStore(f"sqlite:///{tmp_path / 'state.db'}")
        try:
            yield store
        finally:
            store.close()
        return
    require(postgres_up(), f"PostgreSQL is not reachable at {PG_URL}")
    schema = f"anju_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    store = SqlStateStore(PG_URL, schema=schema)
    try:
        yield store
    finally:
        store.close()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
