"""`anju demo`: everything on one laptop — broker, stores, ingest, detectors, alarms, the board,
and a few simulated homes, one of which presses SOS within the first seconds.

Broker: Mosquitto with Anju's configuration when installed, otherwise the embedded Python broker.
Stores: SQLite files in `var/demo/`. Simulated homes: `firmware_sim.demo` (devices speaking the
contract over their own MQTT connections). Ctrl-C (or SIGTERM) stops everything in order.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from anju import logging as anju_logging
from anju.cli import Command
from anju.commands.serve import wait_for_signal
from anju.commands.users import new_password
from anju.settings import load
from broker.mosquitto import Mosquitto, find_mosquitto, free_port
from domain.access import Role
from domain.ports import StateStore

if TYPE_CHECKING:
    from anju.wiring import Anju
    from firmware_sim.demo import SimHome
    from web.auth.service import Auth


class Broker(Protocol):
    port: int

    def stop(self) -> None: ...


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def start_broker(workdir: Path, port: int | None, *, embedded: bool) -> tuple[Broker, str]:
    """Mosquitto when installed (and not refused), else the embedded broker (MQTT 3.1.1)."""
    if port is None:
        port = 1883 if _port_free(1883) else free_port()
    if not embedded and find_mosquitto() is not None:
        broker = Mosquitto(workdir / "mosquitto", port)
        broker.start()
        return broker, "5"
    from broker.embedded import start_embedded

    return start_embedded(workdir / "embedded", port), "3.1.1"


# ---- the command ---------------------------------------------------------------------------


def provision(store: StateStore, homes: list[SimHome]) -> None:
    for item in homes:
        store.upsert_home(item.home)
        for resident in item.residents:
            store.upsert_resident(resident)
        for device in item.devices:
            store.upsert_device(device)


def seed_users(auth: Auth, homes: list[SimHome]) -> list[tuple[str, str, str]]:
    """The demo's accounts with fresh passwords (made up at each start, printed): an admin, the
    operator of the demo homes' communities and the family of the first demo resident."""
    communities = sorted({h.home.community_id for h in homes})
    residents = [r.resident_id for h in homes for r in h.residents][:1]
    wanted = [
        ("admin", Role.ADMIN, [], []),
        ("op1", Role.OPERATOR, communities, []),
        ("family1", Role.FAMILY, [], residents),
    ]
    made = []
    for username, role, in_communities, of_residents in wanted:
        password = new_password()
        scope = {"communities": in_communities, "residents": of_residents}
        user = auth.users.by_username(username)
        if user is None:
            auth.create_user(
                username, role, password, communities=in_communities, residents=of_residents
            )
        else:
            auth.set_password(user.user_id, password)
            auth.users.update_user(user.user_id, auth.now_ms(), disabled=False, **scope)
        made.append((username, role.value, password))
    return made


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, default=Path("var/demo"))
    parser.add_argument("--http-port", type=int, help="default: ANJU_HTTP_PORT, else 8000")
    parser.add_argument("--mqtt-port", type=int, help="default 1883 when free, else any free port")
    parser.add_argument("--homes", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--speed", type=float, default=1.0, help="simulated time per real time")
    parser.add_argument("--fresh", action="store_true", help="start from empty stores")
    parser.add_argument("--embedded-broker", action="store_true", help="even if Mosquitto exists")


def _run(args: argparse.Namespace) -> int:
    from alerts.escalation.assembly import demo_contacts
    from anju.wiring import build, settle_heap
    from firmware_sim.demo import demo_homes, run_demo  # numpy/scipy: only when the demo runs

    data_dir: Path = args.data_dir
    if args.fresh and data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    base = load()
    anju_logging.configure(base.log_level, base.log_format)
    broker, protocol = start_broker(data_dir, args.mqtt_port, embedded=args.embedded_broker)
    settings = load(
        data_dir=data_dir,
        mqtt_port=broker.port,
        mqtt_protocol=protocol,
        mqtt_client_id="anju-demo-ingest",
        **({"http_port": args.http_port} if args.http_port is not None else {}),
        notify_dry_run=True,  # escalation runs for real; messages go to notifications.jsonl
    )
    stop = threading.Event()
    sim_thread: threading.Thread | None = None
    anju = build(settings)
    try:
        homes = demo_homes(args.homes, args.seed)
        provision(anju.state_store, homes)
        if anju.escalation is not None:
            demo_contacts(anju.escalation.store, [h.home for h in homes])
        accounts = seed_users(anju.app.state.ctx.auth, homes)
        seed_board_data(anju, homes)
        anju.start()
        settle_heap()
        sim_thread = threading.Thread(
            target=run_demo,
            args=("127.0.0.1", broker.port, homes),
            kwargs={
                "speed": args.speed,
                "seed": args.seed,
                "stop": stop,
                "protocol": protocol,
                "seq_file": data_dir / "device_seq.json",
            },
            name="demo-sim",
            daemon=True,
        )
        sim_thread.start()
        print(
            f"\n  安居 Anju demo — 值班台 board: {anju.url}/   (English: {anju.url}/?lang=en)",
            flush=True,
        )
        print(
            f"  broker 127.0.0.1:{broker.port} (MQTT {protocol}), data in {data_dir}/", flush=True
        )
        for username, role, password in accounts:
            print(f"  log-in 登录: {username:8} / {password}   ({role}, demo only)", flush=True)
        print("  Ctrl-C stops everything.\n", flush=True)
        wait_for_signal()
    finally:
        stop.set()
        if sim_thread is not None:
            sim_thread.join(10)
        anju.stop()
        broker.stop()
        print("demo stopped", flush=True)
    return 0


def seed_board_data(anju: Anju, homes: list[SimHome]) -> None:
    """Health records and some of this month's check-ins for the board (demo data)."""
    from anju.commands.demo_board import seed_board
    from stores.state.records import BoardStore
    from stores.state.sql import SqlStateStore

    store = anju.state_store
    if isinstance(store, SqlStateStore):
        residents = [r for h in homes for r in h.residents]
        now = int(anju.clock.now() * 1000)
        seed_board(BoardStore(store.engine, schema=store.schema), [h.home for h in homes],
                   residents, now)  # fmt: skip


COMMANDS = [Command(("demo",), "run the whole system with simulated homes", _configure, _run)]
