"""Anju drives Mosquitto's dynamic security plugin: the plugin's file, and changes at run time.

Why the plugin (and not generated password/ACL files and a SIGHUP): Anju and Mosquitto run in
different containers in production, and a signal cannot cross that line; the plugin takes its
changes over MQTT (`$CONTROL/dynamic-security/v1`) from Anju's admin account, and deleting a
client disconnects a connected device at once. Anju stays the source of truth: it keeps each
account's PBKDF2 hash, and `render_config` writes the plugin's file from Anju's own rows (a fresh
or lost broker is rebuilt from them without knowing any password).
"""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from broker.acl import CONTROL_TOPIC, DEFAULT_ACCESS, Acl
from broker.credentials import PasswordHash

RESPONSE_TOPIC = f"{CONTROL_TOPIC}/response"
#: where Debian and the eclipse-mosquitto image put the plugin
PLUGIN_PATHS = (
    "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so",
    "/usr/lib/aarch64-linux-gnu/mosquitto_dynamic_security.so",
    "/usr/lib/mosquitto_dynamic_security.so",
)


class BrokerError(RuntimeError):
    """The broker refused a change or could not be reached."""


@dataclass(frozen=True, slots=True)
class BrokerAccount:
    username: str
    password: PasswordHash | None  # None: the account exists but cannot log in
    acls: tuple[Acl, ...]
    textname: str = ""


class BrokerAccounts(Protocol):
    """What provisioning needs from the broker."""

    def put(self, username: str, password: str | None, acls: Sequence[Acl]) -> None:
        """Create or update an account (a new password when given) with exactly these rules."""

    def remove(self, username: str) -> None:
        """Delete the account: a connected client is disconnected, reconnects are refused."""

    def batch(self) -> AbstractContextManager[object]:
        """Many changes in one go (one admin session for all of them)."""


class UnmanagedBroker:
    """The broker is not Anju's to manage (development broker with anonymous access)."""

    def put(self, username: str, password: str | None, acls: Sequence[Acl]) -> None:
        return None

    def remove(self, username: str) -> None:
        return None

    def batch(self) -> AbstractContextManager[object]:
        return nullcontext()


def render_config(accounts: Iterable[BrokerAccount]) -> dict[str, Any]:
    """The plugin's JSON file: one role per account named after it, default deny."""
    clients: list[dict[str, Any]] = []
    roles: list[dict[str, Any]] = []
    for a in sorted(accounts, key=lambda a: a.username):
        client: dict[str, Any] = {"username": a.username, "textname": a.textname}
        if a.password is not None:
            client.update(a.password.dynsec())
        client["roles"] = [{"rolename": a.username}]
        clients.append(client)
        roles.append({"rolename": a.username, "acls": [acl.as_dict() for acl in a.acls]})
    return {
        "defaultACLAccess": dict(DEFAULT_ACCESS),
        "clients": clients,
        "groups": [],
        "roles": roles,
    }


def find_plugin() -> str | None:
    return next((p for p in PLUGIN_PATHS if Path(p).exists()), None)


def write_config(path: Path, accounts: Iterable[BrokerAccount]) -> None:
    """Write the plugin's file (only while the broker is stopped: the plugin rewrites it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(render_config(accounts), indent=2), encoding="utf-8")
    tmp.chmod(0o600)
    tmp.replace(path)


def mosquitto_lines(config_file: Path, plugin: str | None = None) -> str:
    """The lines that put a Mosquitto under the plugin: no anonymous access at all."""
    plugin = plugin or find_plugin()
    if plugin is None:
        raise FileNotFoundError("mosquitto_dynamic_security.so not found (Mosquitto >= 2.0)")
    return f"allow_anonymous false\nplugin {plugin}\nplugin_opt_config_file {config_file}\n"


class DynsecBroker:
    """`BrokerAccounts` over the plugin's control topic, one short admin session per change."""

    def __init__(
        self,
        host: str,
        port: int,
        username: str,
        password: str,
        *,
        tls: ssl.SSLContext | None = None,
        timeout_s: float = 5.0,
    ) -> None:
        self.host, self.port = host, port
        self._username, self._password = username, password
        self._tls = tls
        self._timeout = timeout_s
        self._lock = threading.RLock()
        self._open: _Session | None = None

    @contextmanager
    def _use(self) -> Iterator[_Session]:
        with self._lock:
            if self._open is not None:
                yield self._open
                return
            with _Session(self) as s:
                yield s

    @contextmanager
    def batch(self) -> Iterator[object]:
        with self._lock, _Session(self) as s:
            self._open = s
            try:
                yield s
            finally:
                self._open = None

    def put(self, username: str, password: str | None, acls: Sequence[Acl]) -> None:
        with self._use() as s:
            role = s.call({"command": "getRole", "rolename": username}, missing_ok=True)
            if role is None:
                s.call(
                    {
                        "command": "createRole",
                        "rolename": username,
                        "acls": [a.as_dict() for a in acls],
                    }
                )
            else:
                have = {(a["acltype"], a["topic"]): a for a in role["role"].get("acls", [])}
                want = {(a.acltype, a.topic): a for a in acls}
                for key in have.keys() - want.keys():
                    s.call(
                        {
                            "command": "removeRoleACL",
                            "rolename": username,
                            "acltype": key[0],
                            "topic": key[1],
                        }
                    )
                for key in want.keys() - have.keys():
                    s.call({"command": "addRoleACL", "rolename": username, **want[key].as_dict()})
            client = s.call({"command": "getClient", "username": username}, missing_ok=True)
            if client is None:
                create: dict[str, Any] = {
                    "command": "createClient",
                    "username": username,
                    "roles": [{"rolename": username}],
                }
                if password is not None:
                    create["password"] = password
                s.call(create)
                return
            roles = {r["rolename"] for r in client["client"].get("roles", [])}
            if username not in roles:
                s.call({"command": "addClientRole", "username": username, "rolename": username})
            if password is not None:
                s.call({"command": "setClientPassword", "username": username, "password": password})

    def remove(self, username: str) -> None:
        with self._use() as s:
            s.call({"command": "deleteClient", "username": username}, missing_ok=True)
            s.call({"command": "deleteRole", "rolename": username}, missing_ok=True)


class _Session:
    """One admin connection; `call` sends one command and waits for its response."""

    def __init__(self, owner: DynsecBroker) -> None:
        self._owner = owner
        self._ready = threading.Event()
        self._answered = threading.Condition()
        self._answers: dict[str, dict[str, Any]] = {}
        self._sent = 0
        self._refused: str | None = None
        self._client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)

    def __enter__(self) -> _Session:
        o, c = self._owner, self._client
        c.username_pw_set(o._username, o._password)
        if o._tls is not None:
            c.tls_set_context(o._tls)
        c.on_connect = self._on_connect
        c.on_subscribe = lambda *_a: self._ready.set()
        c.on_message = self._on_message
        try:
            c.connect(o.host, o.port, keepalive=30)
        except OSError as exc:
            raise BrokerError(f"broker {o.host}:{o.port} unreachable: {exc}") from None
        c.loop_start()
        if not self._ready.wait(o._timeout) or self._refused:
            self.__exit__()
            why = self._refused or "no answer"
            raise BrokerError(f"admin session to {o.host}:{o.port} failed: {why}")
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, rc: Any, _p: Any) -> None:
        if rc.is_failure:
            self._refused = str(rc)
            self._ready.set()
            return
        client.subscribe(RESPONSE_TOPIC, qos=1)

    def _on_message(self, _c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        try:
            answers = json.loads(msg.payload).get("responses") or []
        except (ValueError, AttributeError):
            return
        with self._answered:
            for answer in answers:
                if isinstance(answer, dict) and "correlationData" in answer:
                    self._answers[str(answer["correlationData"])] = answer
            self._answered.notify_all()

    def call(self, command: dict[str, Any], *, missing_ok: bool = False) -> dict[str, Any] | None:
        """Send one command, wait for ITS answer (matched by correlation data, so a late answer
        to an earlier command that timed out is never taken for this one)."""
        self._sent += 1
        key = str(self._sent)
        self._client.publish(
            CONTROL_TOPIC, json.dumps({"commands": [{**command, "correlationData": key}]}), qos=1
        )
        with self._answered:
            if not self._answered.wait_for(lambda: key in self._answers, self._owner._timeout):
                raise BrokerError(f"no answer to {command['command']} (is the plugin loaded?)")
            answer: dict[str, Any] = self._answers.pop(key)
        error = answer.get("error")
        if error:
            if missing_ok and "not found" in str(error).lower():
                return None
            raise BrokerError(f"{command['command']}: {error}")
        data: dict[str, Any] = answer.get("data") or {}
        return data
