"""Provisioning: register a device of a model, claim it to a home and room, revoke it.

Anju issues each device (and each home gateway: a device whose model's kind is `gateway`) its
own MQTT account and keeps the broker's rules in step: registered -> may connect, may do
nothing; claimed -> may publish its own topics and read its own commands; revoked -> deleted on
the broker, which disconnects it at once. Anju's rows are the truth; the broker is told.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Protocol

from broker.acl import (
    AccountKind,
    Acl,
    contract_publish_topics,
    contract_subscribe_topics,
    device_acls,
    device_username,
    gateway_acls,
    gateway_username,
    service_acls,
)
from broker.acl_dynsec import BrokerAccount, BrokerAccounts
from broker.credentials import hash_password, new_password, parse_hash
from domain.clock import Clock
from domain.model import Device, DeviceKind, Room
from domain.ports import StateStore
from domain.topics import valid_id
from stores.state.device_credentials import AccountRow, CredentialStore, Registration

log = logging.getLogger(__name__)


class ModelTopics(Protocol):
    """What provisioning needs of a device model (device_models.DeviceModel has it)."""

    @property
    def kind(self) -> object: ...

    def publish_topics(self, home_id: str, device_id: str) -> list[str]: ...

    def subscribe_topics(self, home_id: str, device_id: str) -> list[str]: ...


class ModelLookup(Protocol):
    def get(self, model_id: str) -> ModelTopics | None: ...


class ProvisioningError(Exception):
    """Bad input; `status` is the HTTP status the API answers with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Issued:
    registration: Registration
    password: str  # shown once, never stored


class Provisioning:
    def __init__(
        self,
        store: CredentialStore,
        state: StateStore,
        models: ModelLookup,
        broker: BrokerAccounts,
        clock: Clock,
    ) -> None:
        self.store, self.state, self.models, self.broker = store, state, models, broker
        self.clock = clock
        self._listeners: list[Callable[[str], None]] = []

    def on_change(self, listener: Callable[[str], None]) -> None:
        """`listener(device_id)` after a claim or a revoke changed a device in the state store
        (ingest refreshes its device directory: a revoked device's messages relayed by its
        gateway are refused at once, not after the directory's next refresh)."""
        self._listeners.append(listener)

    def _changed(self, device_id: str) -> None:
        for listener in self._listeners:
            try:
                listener(device_id)
            except Exception:
                log.exception("device change listener failed for %s", device_id)

    def _now_ms(self) -> int:
        return int(self.clock.now() * 1000)

    def is_gateway(self, model_id: str) -> bool:
        model = self.models.get(model_id)
        return model is not None and str(model.kind) == DeviceKind.GATEWAY.value

    def register(self, device_id: str, model_id: str, *, by: str = "") -> Issued:
        if not valid_id(device_id):
            raise ProvisioningError(400, f"device id {device_id!r}: use [a-z0-9][a-z0-9_-]{{0,63}}")
        if self.models.get(model_id) is None:
            raise ProvisioningError(400, f"unknown device model {model_id!r}")
        if self.store.get(device_id) is not None:
            raise ProvisioningError(409, f"device {device_id!r} is already registered")
        gateway = self.is_gateway(model_id)
        username = gateway_username(device_id) if gateway else device_username(device_id)
        kind = AccountKind.GATEWAY if gateway else AccountKind.DEVICE
        password, now = new_password(), self._now_ms()
        reg = Registration(device_id, model_id, username, now, by)
        row = AccountRow(username, kind.value, hash_password(password).encoded(), now)
        if not self.store.add(reg, row):
            raise ProvisioningError(409, f"device {device_id!r} is already registered")
        try:
            self.broker.put(username, password, ())
        except Exception:
            self.store.delete(device_id)
            raise
        return Issued(reg, password)

    def claim(self, device_id: str, home_id: str, room: str | None) -> Registration:
        reg = self._active(device_id)
        if self.state.get_home(home_id) is None:
            raise ProvisioningError(404, f"home {home_id!r} not found")
        if room is not None and room not in {r.value for r in Room}:
            rooms = ", ".join(r.value for r in Room)
            raise ProvisioningError(400, f"room {room!r}: one of {rooms}")
        if reg.home_id is not None and reg.home_id != home_id:
            raise ProvisioningError(409, f"device {device_id!r} belongs to home {reg.home_id!r}")
        kind = self._kind(reg.model_id)
        self.broker.put(reg.username, None, self.acls(reg.model_id, home_id, device_id))
        self.store.claim(device_id, home_id, room, self._now_ms())
        self.state.upsert_device(
            Device(device_id, home_id, kind, reg.model_id, Room(room) if room else None)
        )
        self._changed(device_id)
        claimed = self.store.get(device_id)
        assert claimed is not None
        return claimed

    def revoke(self, device_id: str) -> Registration:
        """Idempotent: revoking again retries the broker (e.g. after it was unreachable)."""
        reg = self.store.get(device_id)
        if reg is None:
            raise ProvisioningError(404, f"device {device_id!r} is not registered")
        self.store.revoke(device_id, self._now_ms())
        if reg.home_id is not None and (device := self.state.get_device(device_id)) is not None:
            device.enabled = False
            self.state.upsert_device(device)
            self._changed(device_id)
        self.broker.remove(reg.username)
        revoked = self.store.get(device_id)
        assert revoked is not None
        return revoked

    def get(self, device_id: str) -> Registration | None:
        return self.store.get(device_id)

    def registrations(
        self,
        *,
        home_ids: Collection[str] | None = None,
        communities: Collection[str] | None = None,
        model_ids: Collection[str] | None = None,
        unclaimed: bool = False,
    ) -> list[Registration]:
        return self.store.registrations(
            home_ids=home_ids, communities=communities, model_ids=model_ids, unclaimed=unclaimed
        )

    def acls(self, model_id: str, home_id: str, device_id: str) -> tuple[Acl, ...]:
        if self.is_gateway(model_id):
            return gateway_acls(home_id)
        model = self.models.get(model_id)
        if model is None:  # the model file was removed: the contract's own topics only
            publish = contract_publish_topics(home_id, device_id)
            subscribe = contract_subscribe_topics(home_id, device_id)
        else:
            publish = model.publish_topics(home_id, device_id)
            subscribe = model.subscribe_topics(home_id, device_id)
        return device_acls(publish, subscribe)

    def _kind(self, model_id: str) -> DeviceKind:
        model = self.models.get(model_id)
        kind = str(getattr(model, "kind", ""))
        try:
            return DeviceKind(kind)
        except ValueError:
            raise ProvisioningError(400, f"model {model_id!r} has no device kind") from None

    def _active(self, device_id: str) -> Registration:
        reg = self.store.get(device_id)
        if reg is None:
            raise ProvisioningError(404, f"device {device_id!r} is not registered")
        if reg.revoked_ms is not None:
            raise ProvisioningError(409, f"device {device_id!r} was revoked")
        return reg

    # the whole set, for the plugin's file and for a broker that restarted -----------------
    def service_account(self, username: str, password: str) -> None:
        """Anju's ingest account: its password comes from settings, its hash is kept here."""
        row = AccountRow(username, AccountKind.SERVICE.value, hash_password(password).encoded(), 0)
        self.store.put_account(row)

    def broker_accounts(self) -> list[BrokerAccount]:
        regs = {r.username: r for r in self.store.registrations(limit=1_000_000)}
        out: list[BrokerAccount] = []
        for row in self.store.accounts():
            acls: tuple[Acl, ...] = ()
            if row.kind == AccountKind.SERVICE:
                acls = service_acls()
            elif (reg := regs.get(row.username)) is not None and reg.home_id is not None:
                acls = self.acls(reg.model_id, reg.home_id, reg.device_id)
            out.append(BrokerAccount(row.username, parse_hash(row.password_hash), acls, row.kind))
        return out

    def prepare_broker(self, service_username: str | None, service_password: str | None) -> int:
        """At start, before ingest connects: Anju's service account (password from settings),
        then every device's rules; returns how many accounts the broker was told about."""
        if service_username and service_password:
            self.service_account(service_username, service_password)
            self.broker.put(service_username, service_password, service_acls())
        return self.sync()

    def sync(self) -> int:
        """Re-apply every active account's rules and delete revoked ones (no passwords sent)."""
        n = 0
        with self.broker.batch():
            for account in self.broker_accounts():
                self.broker.put(account.username, None, account.acls)
                n += 1
            for row in self.store.accounts(active_only=False):
                if row.revoked_ms is not None:
                    self.broker.remove(row.username)
        return n
