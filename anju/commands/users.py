"""`anju users add|list|disable|enable|password|token`: accounts of the web app and API.

Users live in the state database (ANJU_STATE_URL, default sqlite in ANJU_DATA_DIR). A password
is read from stdin (`--password-stdin`) or made up and printed once; it is stored as an argon2
hash only.
"""

from __future__ import annotations

import argparse
import secrets
import sys

from anju.cli import Command
from anju.settings import load
from domain.access import Role
from domain.clock import SystemClock
from stores.state.users import UserExistsError, UserRecord
from web.auth.passwords import WeakPasswordError
from web.auth.service import Auth


def open_auth() -> Auth:
    from stores.factory import make_state
    from stores.state.users import UserStore

    settings = load()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = make_state(settings.resolved_state_url())
    engine = getattr(store, "engine", None)
    if engine is None:
        raise SystemExit("users need the SQL state store")
    return Auth(UserStore(engine, schema=getattr(store, "schema", None)), SystemClock())


def new_password() -> str:
    return secrets.token_urlsafe(12)


def _password(args: argparse.Namespace) -> tuple[str, bool]:
    """(password, made up here)."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n"), False
    return new_password(), True


def _user(auth: Auth, username: str) -> UserRecord:
    user = auth.users.by_username(username)
    if user is None:
        raise SystemExit(f"anju users: no user {username!r}")
    return user


def _add_configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("username")
    p.add_argument("--role", required=True, choices=[r.value for r in Role])
    p.add_argument("--name", default="", help="display name")
    p.add_argument("--language", default="zh-CN", choices=["zh-CN", "en"])
    p.add_argument("--community", action="append", default=[], help="operator: repeatable")
    p.add_argument("--resident", action="append", default=[], help="family: repeatable")
    p.add_argument("--model", action="append", default=[], help="integrator: repeatable")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")


def _add(args: argparse.Namespace) -> int:
    role = Role(args.role)
    scopes = {"operator": args.community, "family": args.resident, "integrator": args.model}
    for other, values in scopes.items():
        if values and other != role.value:
            print(f"anju users: --{_flag(other)} is not for the role {role.value}", file=sys.stderr)
            return 2
    password, made = _password(args)
    try:
        user = open_auth().create_user(
            args.username,
            role,
            password,
            display_name=args.name,
            language=args.language,
            communities=args.community,
            residents=args.resident,
            models=args.model,
        )
    except (UserExistsError, WeakPasswordError, ValueError) as exc:
        print(f"anju users: {exc}", file=sys.stderr)
        return 1
    print(f"added {user.username} ({user.role.value}) id {user.user_id}")
    if made:
        print(f"password: {password}")
    return 0


def _flag(role: str) -> str:
    return {"operator": "community", "family": "resident", "integrator": "model"}[role]


def _list_configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--role", choices=[r.value for r in Role])


def _list(args: argparse.Namespace) -> int:
    role = Role(args.role) if args.role else None
    for u in open_auth().users.list_users(role=role, limit=100_000):
        scope = ",".join(sorted(u.communities | u.residents | u.models)) or "-"
        state = "disabled" if u.disabled else "active"
        print(f"{u.username:20} {u.role.value:10} {state:8} {scope}  {u.display_name}")
    return 0


def _one_configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("username")


def _disable(args: argparse.Namespace) -> int:
    auth = open_auth()
    auth.set_disabled(_user(auth, args.username).user_id, True)
    print(f"disabled {args.username}; their sessions ended")
    return 0


def _enable(args: argparse.Namespace) -> int:
    auth = open_auth()
    auth.set_disabled(_user(auth, args.username).user_id, False)
    print(f"enabled {args.username}")
    return 0


def _password_configure(p: argparse.ArgumentParser) -> None:
    _one_configure(p)
    p.add_argument("--password-stdin", action="store_true")


def _set_password(args: argparse.Namespace) -> int:
    auth = open_auth()
    password, made = _password(args)
    try:
        auth.set_password(_user(auth, args.username).user_id, password)
    except WeakPasswordError as exc:
        print(f"anju users: {exc}", file=sys.stderr)
        return 1
    print(f"password of {args.username} reset; their sessions ended")
    if made:
        print(f"password: {password}")
    return 0


def _token_configure(p: argparse.ArgumentParser) -> None:
    _one_configure(p)
    p.add_argument("--name", default="cli", help="what the token is for")


def _token(args: argparse.Namespace) -> int:
    auth = open_auth()
    token, row = auth.issue_token(_user(auth, args.username).user_id, args.name)
    print(f"token {row.token_id} ({row.name}) for {args.username}; shown only now:")
    print(token)
    return 0


COMMANDS = [
    Command(
        ("users", "add"), "add a user (admin, operator, family, integrator)", _add_configure, _add
    ),
    Command(("users", "list"), "list users", _list_configure, _list),
    Command(("users", "disable"), "disable a user; ends their sessions", _one_configure, _disable),
    Command(("users", "enable"), "enable a disabled user", _one_configure, _enable),
    Command(("users", "password"), "reset a password", _password_configure, _set_password),
    Command(("users", "token"), "issue an API token for a user", _token_configure, _token),
]
