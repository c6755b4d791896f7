"""Signing in from tests: make users, log a TestClient in, get a bearer token.

`login()` also puts the CSRF token into the client's default headers, so later POSTs work as
from the board; pop `X-CSRF-Token` from `client.headers` to test what happens without it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from alerts.feed import LocalFeed
from alerts.service import AlarmService
from domain.access import Role
from domain.alarms import Detection, Severity
from domain.clock import ManualClock, SystemClock
from domain.model import Home, Resident
from stores.state.sql import SqlStateStore
from stores.state.users import UserRecord, UserStore
from tests.conftest import sql_store
from web.app import create_app
from web.auth.service import Auth, check_username

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
    auth = auth_of(store)
    check_username(name)
    at = auth.now_ms()
    user = UserRecord(
        user_id=uuid.uuid4().hex,
        username=name,
        display_name=name,
        role=role,
        created_ms=at,
        updated_ms=at,
        communities=frozenset(communities),
        residents=frozenset(residents),
        models=frozenset(models),
    )
    auth.users.add_user(user, cheap_hash(password))
    return name


@cache
def cheap_hash(password: str) -> str:
    """A real argon2id hash at test cost (1 pass, 1 MiB): verifying reads the cost from the hash,
    so each test log-in takes milliseconds, not a second on a busy machine. Users made through
    the API or `anju users` get the production cost (tests/web/test_access_sessions.py checks)."""
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(password)


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


@dataclass
class World:
    """Two communities, three homes, an alarm in each, and one user of every kind:
    c1: h1 (resident r1, family famA), h2 (r2, famB); c2: h3 (r3). op1 watches c1, op2 c2."""

    store: SqlStateStore
    clock: ManualClock
    feed: LocalFeed
    alarms: AlarmService
    app: FastAPI
    alarm: dict[str, str]  # home id -> its open alarm id

    def client(self, username: str | None = None) -> TestClient:
        client = TestClient(self.app)
        if username:
            login(client, username)
        return client

    def bearer(self, username: str) -> dict[str, str]:
        return token_for(self.app, username)


@contextmanager
def world(kind: str, tmp_path: Path, *, keepalive_s: float = 0.5) -> Iterator[World]:
    with sql_store(kind, tmp_path) as store:
        for home, community, resident, name in (
            ("h1", "c1", "r1", "岩温"),
            ("h2", "c1", "r2", "玉香"),
            ("h3", "c2", "r3", "刀国栋"),
        ):
            store.upsert_home(Home(home, community, address=f"{home} 路 1 号"))
            store.upsert_resident(Resident(resident, home, name))
        clock = ManualClock(time.time())
        feed = LocalFeed()
        service = AlarmService(store, feed, clock)
        app = create_app(store, feed, service, keepalive_s=keepalive_s)
        alarm = {
            h: service.on_detection(Detection(h, "sos", Severity.CRITICAL, 1, f"{h}-btn")).alarm_id
            for h in ("h1", "h2", "h3")
        }
        add_user(app, Role.ADMIN, username="admin")
        add_user(app, Role.OPERATOR, username="op1", communities=["c1"])
        add_user(app, Role.OPERATOR, username="op2", communities=["c2"])
        add_user(app, Role.FAMILY, username="famA", residents=["r1"])
        add_user(app, Role.FAMILY, username="famB", residents=["r2"])
        add_user(app, Role.INTEGRATOR, username="integ", models=["acme-pir"])
        try:
            yield World(store, clock, feed, service, app, alarm)
        finally:
            feed.close()
