"""Users and their scopes in the state database; `principal()` turns a user into who acts.

A user row holds the argon2 hash (never the password). Scopes are rows (user, kind, value):
an operator's communities, a family member's residents, an integrator's device models. A family
member's homes are resolved from the residents table on every call, so a resident who moves
takes the family's view along without any change here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from domain.access import Principal, Role
from stores.state.auth_tables import build_auth_metadata
from stores.state.sqlkit import transaction

SCOPE_KINDS = ("community", "resident", "model")


class UserExistsError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class UserRecord:
    user_id: str
    username: str
    display_name: str
    role: Role
    language: str = "zh-CN"
    disabled: bool = False
    created_ms: int = 0
    updated_ms: int = 0
    communities: frozenset[str] = field(default_factory=frozenset)
    residents: frozenset[str] = field(default_factory=frozenset)
    models: frozenset[str] = field(default_factory=frozenset)

    def public(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role.value,
            "language": self.language,
            "disabled": self.disabled,
            "created_ms": self.created_ms,
            "updated_ms": self.updated_ms,
            "communities": sorted(self.communities),
            "residents": sorted(self.residents),
            "models": sorted(self.models),
        }


class UserStore:
    def __init__(self, engine: Engine, *, schema: str | None = None) -> None:
        self.engine = engine
        self.schema = schema
        self.md = build_auth_metadata(schema)
        p = f"{schema}." if schema else ""
        self.t = {name.removeprefix(p): table for name, table in self.md.tables.items()}
        self._users = self.t["users"]
        self._scopes = self.t["user_scopes"]
        # the state store's residents table (read only: family -> homes)
        self._residents = sa.table(
            "residents", sa.column("resident_id"), sa.column("home_id"), schema=schema
        )
        self.md.create_all(engine)

    def tx(self, op: str) -> AbstractContextManager[Connection]:
        return transaction(self.engine, op)

    # users ------------------------------------------------------------------------------
    def add_user(self, user: UserRecord, password_hash: str) -> None:
        u = self._users
        with self.tx("user_add") as conn:
            taken = conn.execute(
                sa.select(u.c.user_id).where(u.c.username == user.username)
            ).first()
            if taken is not None:
                raise UserExistsError(f"user {user.username!r} exists")
            conn.execute(
                sa.insert(u).values(
                    user_id=user.user_id,
                    username=user.username,
                    display_name=user.display_name,
                    role=user.role.value,
                    language=user.language,
                    password_hash=password_hash,
                    disabled=user.disabled,
                    created_ms=user.created_ms,
                    updated_ms=user.updated_ms,
                )
            )
            self._set_scopes(conn, user.user_id, _scopes_of(user))

    def get_user(self, user_id: str) -> UserRecord | None:
        with self.tx("user_get") as conn:
            return self._load(conn, self._users.c.user_id == user_id)

    def by_username(self, username: str) -> UserRecord | None:
        with self.tx("user_get") as conn:
            return self._load(conn, self._users.c.username == username)

    def credentials(self, username: str) -> tuple[str, str, bool] | None:
        """(user_id, password hash, disabled) for a log-in."""
        u = self._users
        with self.tx("user_credentials") as conn:
            row = conn.execute(
                sa.select(u.c.user_id, u.c.password_hash, u.c.disabled).where(
                    u.c.username == username
                )
            ).first()
        return None if row is None else (row.user_id, row.password_hash, bool(row.disabled))

    def list_users(
        self, *, role: Role | None = None, limit: int = 100, offset: int = 0
    ) -> list[UserRecord]:
        u = self._users
        query = sa.select(u).order_by(u.c.username).limit(limit).offset(offset)
        if role is not None:
            query = query.where(u.c.role == role.value)
        with self.tx("user_list") as conn:
            rows = conn.execute(query).all()
            scopes = self._scopes_for(conn, [r.user_id for r in rows])
        return [_record(r, scopes.get(r.user_id, {})) for r in rows]

    def update_user(self, user_id: str, at_ms: int, **changes: Any) -> UserRecord | None:
        """Change display_name, role, language, disabled and/or the scope lists
        (communities, residents, models: each replaces the old list when given)."""
        u = self._users
        columns = {k: v for k, v in changes.items() if k in u.c and v is not None}
        if isinstance(columns.get("role"), Role):
            columns["role"] = columns["role"].value
        with self.tx("user_update") as conn:
            found = conn.execute(
                sa.update(u).where(u.c.user_id == user_id).values(updated_ms=at_ms, **columns)
            ).rowcount
            if not found:
                return None
            for kind, key in zip(SCOPE_KINDS, ("communities", "residents", "models"), strict=True):
                if changes.get(key) is not None:
                    s = self._scopes
                    conn.execute(sa.delete(s).where(s.c.user_id == user_id, s.c.kind == kind))
                    self._set_scopes(conn, user_id, {kind: changes[key]})
            return self._load(conn, u.c.user_id == user_id)

    def set_password(self, user_id: str, password_hash: str, at_ms: int) -> bool:
        u = self._users
        with self.tx("user_password") as conn:
            done = conn.execute(
                sa.update(u)
                .where(u.c.user_id == user_id)
                .values(password_hash=password_hash, updated_ms=at_ms)
            ).rowcount
        return bool(done)

    # principals -------------------------------------------------------------------------
    def principal(self, user_id: str) -> Principal | None:
        """Who acts for this user now, or None when the user is missing or disabled."""
        with self.tx("user_principal") as conn:
            return self.principal_in(conn, user_id)

    def principal_in(self, conn: Connection, user_id: str) -> Principal | None:
        user = self._load(conn, self._users.c.user_id == user_id)
        if user is None or user.disabled:
            return None
        homes: frozenset[str] = frozenset()
        if user.residents:
            r = self._residents
            found = conn.execute(
                sa.select(r.c.home_id).where(r.c.resident_id.in_(sorted(user.residents)))
            )
            homes = frozenset(found.scalars())
        return Principal(
            user_id=user.user_id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            language=user.language,
            communities=user.communities,
            residents=user.residents,
            homes=homes,
            models=user.models,
        )

    # helpers ----------------------------------------------------------------------------
    def _load(self, conn: Connection, where: sa.ColumnElement[bool]) -> UserRecord | None:
        row = conn.execute(sa.select(self._users).where(where)).first()
        if row is None:
            return None
        return _record(row, self._scopes_for(conn, [row.user_id]).get(row.user_id, {}))

    def _scopes_for(self, conn: Connection, ids: list[str]) -> dict[str, dict[str, set[str]]]:
        out: dict[str, dict[str, set[str]]] = {}
        if not ids:
            return out
        s = self._scopes
        for row in conn.execute(sa.select(s).where(s.c.user_id.in_(ids))):
            out.setdefault(row.user_id, {}).setdefault(row.kind, set()).add(row.value)
        return out

    def _set_scopes(
        self, conn: Connection, user_id: str, scopes: Mapping[str, Iterable[str]]
    ) -> None:
        rows = [
            {"user_id": user_id, "kind": kind, "value": value}
            for kind, values in scopes.items()
            for value in sorted(set(values))
        ]
        if rows:
            conn.execute(sa.insert(self._scopes), rows)


def _scopes_of(user: UserRecord) -> dict[str, frozenset[str]]:
    return {"community": user.communities, "resident": user.residents, "model": user.models}


def _record(row: sa.Row[Any], scopes: Mapping[str, set[str]]) -> UserRecord:
    return UserRecord(
        user_id=row.user_id,
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        language=row.language,
        disabled=bool(row.disabled),
        created_ms=row.created_ms,
        updated_ms=row.updated_ms,
        communities=frozenset(scopes.get("community", ())),
        residents=frozenset(scopes.get("resident", ())),
        models=frozenset(scopes.get("model", ())),
    )
