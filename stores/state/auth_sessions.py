"""Page sessions and API tokens: rows keyed by the SHA-256 of the secret (never the secret).

Every look-up joins the user, so logging out, revoking a token or disabling a user takes effect
on the very next request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from domain.access import Principal
from stores.state.users import UserStore

LAST_USED_EVERY_MS = 60_000  # a token's last_used_ms is written at most this often


@dataclass(frozen=True, slots=True)
class SessionRow:
    session_hash: str
    user_id: str
    csrf_token: str
    created_ms: int
    expires_ms: int
    ip: str = ""
    user_agent: str = ""


@dataclass(frozen=True, slots=True)
class TokenRow:
    token_id: str
    user_id: str
    name: str
    created_ms: int
    last_used_ms: int | None
    revoked_ms: int | None

    def public(self) -> dict[str, Any]:
        return {
            "token_id": self.token_id,
            "name": self.name,
            "created_ms": self.created_ms,
            "last_used_ms": self.last_used_ms,
            "revoked": self.revoked_ms is not None,
            "revoked_ms": self.revoked_ms,
        }


class CredentialStore:
    def __init__(self, users: UserStore) -> None:
        self.users = users
        self._sessions = users.t["user_sessions"]
        self._tokens = users.t["api_tokens"]

    # sessions ---------------------------------------------------------------------------
    def add_session(self, row: SessionRow) -> None:
        with self.users.tx("session_add") as conn:
            conn.execute(
                sa.insert(self._sessions).values(
                    session_hash=row.session_hash,
                    user_id=row.user_id,
                    csrf_token=row.csrf_token,
                    created_ms=row.created_ms,
                    expires_ms=row.expires_ms,
                    ip=row.ip[:64],
                    user_agent=row.user_agent[:300],
                )
            )

    def session(self, session_hash: str, now_ms: int) -> tuple[Principal, str] | None:
        """(principal, CSRF token) of a live session; None when unknown, expired or disabled."""
        s = self._sessions
        with self.users.tx("session_get") as conn:
            row = conn.execute(
                sa.select(s.c.user_id, s.c.csrf_token, s.c.expires_ms).where(
                    s.c.session_hash == session_hash
                )
            ).first()
            if row is None or row.expires_ms <= now_ms:
                return None
            principal = self.users.principal_in(conn, row.user_id)
        return None if principal is None else (principal, row.csrf_token)

    def end_session(self, session_hash: str) -> bool:
        s = self._sessions
        with self.users.tx("session_end") as conn:
            return bool(conn.execute(sa.delete(s).where(s.c.session_hash == session_hash)).rowcount)

    def end_sessions_of(self, user_id: str) -> int:
        s = self._sessions
        with self.users.tx("session_end") as conn:
            return int(conn.execute(sa.delete(s).where(s.c.user_id == user_id)).rowcount)

    def purge_expired(self, now_ms: int) -> int:
        s = self._sessions
        with self.users.tx("session_purge") as conn:
            return int(conn.execute(sa.delete(s).where(s.c.expires_ms <= now_ms)).rowcount)

    # API tokens -------------------------------------------------------------------------
    def add_token(
        self, token_id: str, token_hash: str, user_id: str, name: str, now_ms: int
    ) -> TokenRow:
        with self.users.tx("token_add") as conn:
            conn.execute(
                sa.insert(self._tokens).values(
                    token_id=token_id,
                    token_hash=token_hash,
                    user_id=user_id,
                    name=name,
                    created_ms=now_ms,
                    last_used_ms=None,
                    revoked_ms=None,
                )
            )
        return TokenRow(token_id, user_id, name, now_ms, None, None)

    def token(self, token_hash: str, now_ms: int) -> Principal | None:
        t = self._tokens
        with self.users.tx("token_get") as conn:
            row = conn.execute(
                sa.select(t.c.token_id, t.c.user_id, t.c.last_used_ms).where(
                    t.c.token_hash == token_hash, t.c.revoked_ms.is_(None)
                )
            ).first()
            if row is None:
                return None
            principal = self.users.principal_in(conn, row.user_id)
            if principal is not None and (row.last_used_ms or 0) + LAST_USED_EVERY_MS <= now_ms:
                conn.execute(
                    sa.update(t).where(t.c.token_id == row.token_id).values(last_used_ms=now_ms)
                )
        return principal

    def tokens_of(self, user_id: str) -> list[TokenRow]:
        t = self._tokens
        with self.users.tx("token_list") as conn:
            rows = conn.execute(
                sa.select(t).where(t.c.user_id == user_id).order_by(t.c.created_ms, t.c.token_id)
            ).all()
        return [
            TokenRow(r.token_id, r.user_id, r.name, r.created_ms, r.last_used_ms, r.revoked_ms)
            for r in rows
        ]

    def revoke_token(self, user_id: str, token_id: str, now_ms: int) -> bool:
        t = self._tokens
        with self.users.tx("token_revoke") as conn:
            done = conn.execute(
                sa.update(t)
                .where(t.c.user_id == user_id, t.c.token_id == token_id, t.c.revoked_ms.is_(None))
                .values(revoked_ms=now_ms)
            ).rowcount
        return bool(done)
