"""Device registrations and the MQTT accounts Anju issued, beside the state store (same database).

A registration is a device Anju knows before it is in a home: its model, then (once claimed) its
home and room, and when it was revoked. An account is one MQTT username with its password hash
(`$7$` PBKDF2-SHA512, see broker/credentials.py); the password itself is never stored.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine


@dataclass(frozen=True, slots=True)
class Registration:
    device_id: str
    model_id: str
    username: str
    registered_ms: int
    registered_by: str = ""
    home_id: str | None = None
    room: str | None = None
    claimed_ms: int | None = None
    revoked_ms: int | None = None

    @property
    def status(self) -> str:
        if self.revoked_ms is not None:
            return "revoked"
        return "claimed" if self.home_id else "registered"


@dataclass(frozen=True, slots=True)
class AccountRow:
    username: str
    kind: str  # broker.acl.AccountKind
    password_hash: str
    created_ms: int
    revoked_ms: int | None = None


def build_credentials_metadata(schema: str | None = None) -> sa.MetaData:
    md = sa.MetaData(schema=schema)
    sa.Table(
        "device_registrations",
        md,
        sa.Column("device_id", sa.String(64), primary_key=True),
        sa.Column("model_id", sa.String(64), nullable=False, index=True),
        sa.Column("username", sa.String(80), nullable=False, unique=True),
        sa.Column("registered_ms", sa.BigInteger, nullable=False),
        sa.Column("registered_by", sa.String(100), nullable=False),
        sa.Column("home_id", sa.String(100), nullable=True, index=True),
        sa.Column("room", sa.String(32), nullable=True),
        sa.Column("claimed_ms", sa.BigInteger, nullable=True),
        sa.Column("revoked_ms", sa.BigInteger, nullable=True),
    )
    sa.Table(
        "mqtt_accounts",
        md,
        sa.Column("username", sa.String(80), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("revoked_ms", sa.BigInteger, nullable=True),
    )
    return md


class CredentialStore:
    def __init__(self, engine: Engine, *, schema: str | None = None) -> None:
        self.engine = engine
        md = build_credentials_metadata(schema)
        p = f"{schema}." if schema else ""
        self._reg = md.tables[p + "device_registrations"]
        self._acc = md.tables[p + "mqtt_accounts"]
        md.create_all(engine)
        #: the state store's homes (only read here, for community scopes)
        self._homes = sa.table(
            "homes", sa.column("home_id"), sa.column("community_id"), schema=schema
        )

    def add(self, reg: Registration, account: AccountRow) -> bool:
        """Insert both rows in one transaction; False when the device id is already taken."""
        try:
            with self.engine.begin() as conn:
                conn.execute(sa.insert(self._acc).values(_fields(account)))
                conn.execute(sa.insert(self._reg).values(_fields(reg)))
        except sa.exc.IntegrityError:
            return False
        return True

    def delete(self, device_id: str) -> None:
        """Undo `add` (the broker refused the account)."""
        with self.engine.begin() as conn:
            reg = conn.execute(sa.select(self._reg).where(self._reg.c.device_id == device_id))
            row = reg.first()
            conn.execute(sa.delete(self._reg).where(self._reg.c.device_id == device_id))
            if row is not None:
                conn.execute(sa.delete(self._acc).where(self._acc.c.username == row.username))

    def get(self, device_id: str) -> Registration | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(self._reg).where(self._reg.c.device_id == device_id))
            found = row.first()
        return None if found is None else Registration(**found._mapping)

    def claim(self, device_id: str, home_id: str, room: str | None, at_ms: int) -> None:
        values = {"home_id": home_id, "room": room, "claimed_ms": at_ms}
        with self.engine.begin() as conn:
            conn.execute(
                sa.update(self._reg).where(self._reg.c.device_id == device_id).values(values)
            )

    def revoke(self, device_id: str, at_ms: int) -> None:
        """Marks the registration and its account revoked (the first time only)."""
        with self.engine.begin() as conn:
            row = conn.execute(
                sa.select(self._reg.c.username).where(self._reg.c.device_id == device_id)
            ).first()
            if row is None:
                return
            reg = self._reg.c
            conn.execute(
                sa.update(self._reg)
                .where(reg.device_id == device_id, reg.revoked_ms.is_(None))
                .values(revoked_ms=at_ms)
            )
            acc = self._acc.c
            conn.execute(
                sa.update(self._acc)
                .where(acc.username == row.username, acc.revoked_ms.is_(None))
                .values(revoked_ms=at_ms)
            )

    def registrations(
        self,
        *,
        home_ids: Collection[str] | None = None,
        communities: Collection[str] | None = None,
        model_ids: Collection[str] | None = None,
        unclaimed: bool = False,
        limit: int = 1000,
    ) -> list[Registration]:
        """Filtered in the query. `home_ids` and `communities` (the homes of those communities,
        from the state store's `homes` table) together make one home filter, None: no filter;
        `unclaimed` adds the devices in no home yet to it. `model_ids` None: any model."""
        q = sa.select(self._reg).order_by(self._reg.c.device_id).limit(limit)
        home = self._reg.c.home_id
        if home_ids is not None or communities is not None:
            clauses = [home.in_(sorted(home_ids or ()))]
            if communities:
                in_communities = sa.select(self._homes.c.home_id).where(
                    self._homes.c.community_id.in_(sorted(communities))
                )
                clauses.append(home.in_(in_communities))
            if unclaimed:
                clauses.append(home.is_(None))
            q = q.where(sa.or_(*clauses))
        if model_ids is not None:
            q = q.where(self._reg.c.model_id.in_(list(model_ids)))
        with self.engine.connect() as conn:
            return [Registration(**r._mapping) for r in conn.execute(q)]

    def put_account(self, account: AccountRow) -> None:
        """A service account (its password comes from settings): replaced on every start."""
        with self.engine.begin() as conn:
            conn.execute(sa.delete(self._acc).where(self._acc.c.username == account.username))
            conn.execute(sa.insert(self._acc).values(_fields(account)))

    def accounts(self, *, active_only: bool = True) -> list[AccountRow]:
        q = sa.select(self._acc).order_by(self._acc.c.username)
        if active_only:
            q = q.where(self._acc.c.revoked_ms.is_(None))
        with self.engine.connect() as conn:
            return [AccountRow(**r._mapping) for r in conn.execute(q)]


def _fields(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__slots__}
