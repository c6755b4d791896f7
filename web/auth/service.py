"""Accounts, log-in, sessions and API tokens over the user store (time from the clock)."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from domain.access import Principal, Role
from domain.clock import Clock, now_ms
from stores.state.audit import AuditStore
from stores.state.auth_sessions import CredentialStore, SessionRow, TokenRow
from stores.state.users import UserRecord, UserStore
from web.auth.passwords import hash_password, verify_password
from web.auth.throttle import LoginThrottle

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{1,63}$")
TOKEN_PREFIX = "anju_"
LANGUAGES = ("zh-CN", "en")
PURGE_EVERY_MS = 3600 * 1000
ADDRESS_FACTOR = 10  # failures from one address before it is locked: this many times the user's


@dataclass(frozen=True, slots=True)
class AuthOptions:
    session_hours: float = 12.0
    cookie_secure: bool = False
    login_max_failures: int = 5
    login_lock_s: float = 900.0


class LoginThrottledError(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"too many failed log-ins; try again in {int(retry_after) + 1} s")
        self.retry_after = retry_after


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def check_username(username: str) -> str:
    if not USERNAME.match(username):
        raise ValueError(
            "username: 2-64 letters, digits or _ . @ -, starting with a letter or digit"
        )
    return username


class Auth:
    def __init__(self, users: UserStore, clock: Clock, options: AuthOptions | None = None) -> None:
        self.users = users
        self.clock = clock
        self.options = options or AuthOptions()
        self.credentials = CredentialStore(users)
        self.audit = AuditStore(users)
        self.throttle = LoginThrottle(
            clock,
            max_failures=self.options.login_max_failures,
            lock_s=self.options.login_lock_s,
        )
        self._purged_ms = 0
        # one address may be a proxy or an office behind NAT: it tolerates more failures
        self.address_throttle = LoginThrottle(
            clock,
            max_failures=self.options.login_max_failures * ADDRESS_FACTOR,
            lock_s=self.options.login_lock_s,
        )

    def now_ms(self) -> int:
        return now_ms(self.clock)

    # accounts ---------------------------------------------------------------------------
    def create_user(
        self,
        username: str,
        role: Role,
        password: str,
        *,
        display_name: str = "",
        language: str = "zh-CN",
        communities: Iterable[str] = (),
        residents: Iterable[str] = (),
        models: Iterable[str] = (),
    ) -> UserRecord:
        check_username(username)
        if language not in LANGUAGES:
            raise ValueError(f"language: one of {', '.join(LANGUAGES)}")
        at = self.now_ms()
        user = UserRecord(
            user_id=uuid.uuid4().hex,
            username=username,
            display_name=display_name or username,
            role=role,
            language=language,
            created_ms=at,
            updated_ms=at,
            communities=frozenset(communities),
            residents=frozenset(residents),
            models=frozenset(models),
        )
        self.users.add_user(user, hash_password(password))
        return user

    def set_password(self, user_id: str, password: str) -> bool:
        done = self.users.set_password(user_id, hash_password(password), self.now_ms())
        if done:  # a reset password ends every session of the user
            self.credentials.end_sessions_of(user_id)
        return done

    def set_disabled(self, user_id: str, disabled: bool) -> UserRecord | None:
        user = self.users.update_user(user_id, self.now_ms(), disabled=disabled)
        if user is not None and disabled:
            self.credentials.end_sessions_of(user_id)
        return user

    # log-in -----------------------------------------------------------------------------
    def check_password(self, username: str, password: str, ip: str) -> str | None:
        """The user id when the password is right and the user enabled; None otherwise.
        Raises LoginThrottledError after too many failures for this name or address."""
        user, address = f"user:{username.lower()}", f"ip:{ip}"
        wait = max(self.throttle.retry_after(user), self.address_throttle.retry_after(address))
        if wait > 0:
            raise LoginThrottledError(wait)
        found = self.users.credentials(username)
        ok = verify_password(found[1] if found else None, password)
        if not ok or found is None or found[2]:
            self.throttle.failed(user)
            self.address_throttle.failed(address)
            return None
        self.throttle.succeeded(user)  # an address's count is not reset by one good log-in
        return found[0]

    def start_session(self, user_id: str, ip: str = "", user_agent: str = "") -> tuple[str, str]:
        """A new session: (cookie value, CSRF token)."""
        cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        at = self.now_ms()
        if at - self._purged_ms >= PURGE_EVERY_MS:  # expired sessions do not pile up
            self._purged_ms = at
            self.credentials.purge_expired(at)
        expires = at + int(self.options.session_hours * 3600 * 1000)
        self.credentials.add_session(
            SessionRow(digest(cookie), user_id, csrf, at, expires, ip, user_agent)
        )
        return cookie, csrf

    def session(self, cookie: str) -> tuple[Principal, str] | None:
        return self.credentials.session(digest(cookie), self.now_ms())

    def end_session(self, cookie: str) -> bool:
        return self.credentials.end_session(digest(cookie))

    # API tokens -------------------------------------------------------------------------
    def issue_token(self, user_id: str, name: str) -> tuple[str, TokenRow]:
        """A new bearer token (shown once; only its hash is kept)."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = self.credentials.add_token(
            uuid.uuid4().hex[:16], digest(token), user_id, name, self.now_ms()
        )
        return token, row

    def token(self, bearer: str) -> Principal | None:
        if not bearer.startswith(TOKEN_PREFIX):
            return None
        return self.credentials.token(digest(bearer), self.now_ms())

    def revoke_token(self, user_id: str, token_id: str) -> bool:
        return self.credentials.revoke_token(user_id, token_id, self.now_ms())
