"""`anju device register|claim|revoke|list|broker-file`: provisioning from the command line.

The same rules as `/api/devices` (docs/provisioning.md), run against the configured state store
and broker (ANJU_STATE_URL, ANJU_MQTT_*). `register` prints the device's MQTT password once.
`broker-file` writes the broker's dynamic security file from Anju's rows, to start a fresh or
lost broker with every account Anju issued (hashes only: no device needs a new password).

`anju device check` (the conformance check) lives in anju/commands/device_check.py: every module
in anju/commands adds its own sub-commands to the `device` group.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from anju.cli import Command


@contextmanager
def _provisioning() -> Iterator[Any]:
    from anju.settings import Settings
    from anju.wiring import make_provisioning
    from domain.clock import SystemClock
    from stores.factory import make_state

    settings = Settings()
    state = make_state(settings.resolved_state_url())
    try:
        prov = make_provisioning(settings, state, SystemClock())
        if prov is None:
            raise SystemExit("anju device: provisioning needs the SQL state store")
        yield prov
    finally:
        state.close()


def _row(reg: Any) -> dict[str, Any]:
    return {
        "device_id": reg.device_id,
        "model_id": reg.model_id,
        "status": reg.status,
        "mqtt_username": reg.username,
        "home_id": reg.home_id,
        "room": reg.room,
    }


def _guard(call: Any, *args: Any) -> Any:
    from broker.acl_dynsec import BrokerError
    from broker.credentials_service import ProvisioningError

    try:
        return call(*args)
    except ProvisioningError as exc:
        print(f"anju device: {exc}", file=sys.stderr)
        return None
    except BrokerError as exc:
        print(f"anju device: the MQTT broker did not take the change: {exc}", file=sys.stderr)
        return None


def _register_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("device_id", help="the device's id in Anju: [a-z0-9][a-z0-9_-]{0,63}")
    p.add_argument("model_id", help="a model of the registry (device_models/)")
    p.add_argument("--json", action="store_true", help="print JSON")


def _register(args: argparse.Namespace) -> int:
    with _provisioning() as prov:
        issued = _guard(lambda: prov.register(args.device_id, args.model_id, by="cli"))
    if issued is None:
        return 2
    out = _row(issued.registration) | {"mqtt_password": issued.password}
    if args.json:
        print(json.dumps(out))
    else:
        print(f"registered {args.device_id} ({args.model_id})")
        print(f"  MQTT username: {out['mqtt_username']}")
        print(f"  MQTT password: {issued.password}")
        print("  the password is shown once: Anju keeps only its hash")
    return 0


def _claim_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("device_id")
    p.add_argument("home_id")
    p.add_argument("--room", help="bathroom, kitchen, entrance, bedroom, living_room, other")


def _claim(args: argparse.Namespace) -> int:
    with _provisioning() as prov:
        reg = _guard(prov.claim, args.device_id, args.home_id, args.room)
    if reg is None:
        return 2
    print(f"{reg.device_id} claimed to home {reg.home_id} (room {reg.room or '-'})")
    return 0


def _revoke_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("device_id")


def _revoke(args: argparse.Namespace) -> int:
    with _provisioning() as prov:
        reg = _guard(prov.revoke, args.device_id)
    if reg is None:
        return 2
    print(f"{reg.device_id} revoked: its MQTT account {reg.username} is gone from the broker")
    return 0


def _list_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--home", action="append", help="only these homes (repeatable)")
    p.add_argument("--model", action="append", help="only these models (repeatable)")
    p.add_argument("--json", action="store_true", help="print JSON")


def _list(args: argparse.Namespace) -> int:
    with _provisioning() as prov:
        regs = prov.registrations(home_ids=args.home, model_ids=args.model)
    rows = [_row(r) for r in regs]
    if args.json:
        print(json.dumps(rows))
        return 0
    print(f"{'device':<24} {'model':<20} {'status':<11} {'home':<16} room")
    for r in rows:
        print(
            f"{r['device_id']:<24} {r['model_id']:<20} {r['status']:<11} "
            f"{r['home_id'] or '-':<16} {r['room'] or '-'}"
        )
    return 0


def _file_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", type=Path, help="e.g. /mosquitto/data/dynamic-security.json")


def _broker_file(args: argparse.Namespace) -> int:
    from anju.settings import Settings
    from broker.acl import admin_acls
    from broker.acl_dynsec import BrokerAccount, write_config
    from broker.credentials import hash_password

    settings = Settings()
    if not settings.mqtt_admin_password:
        print("anju device broker-file: set ANJU_MQTT_ADMIN_PASSWORD", file=sys.stderr)
        return 2
    with _provisioning() as prov:
        if settings.mqtt_username and settings.mqtt_password:
            prov.service_account(settings.mqtt_username, settings.mqtt_password)
        accounts = prov.broker_accounts()
    admin_hash = hash_password(settings.mqtt_admin_password)
    admin = BrokerAccount(settings.mqtt_admin_username, admin_hash, admin_acls(), "admin")
    write_config(args.path, [admin, *accounts])
    print(f"wrote {args.path}: {len(accounts) + 1} accounts (start the broker with it)")
    return 0


COMMANDS = [
    Command(
        ("device", "register"),
        "register a device; prints its MQTT password once",
        _register_args,
        _register,
    ),
    Command(("device", "claim"), "put a registered device in a home and room", _claim_args, _claim),
    Command(("device", "revoke"), "cut a device off the broker at once", _revoke_args, _revoke),
    Command(("device", "list"), "devices Anju registered", _list_args, _list),
    Command(
        ("device", "broker-file"),
        "write the broker's account file from Anju's rows",
        _file_args,
        _broker_file,
    ),
]
