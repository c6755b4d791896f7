"""`anju demo`: everything on one laptop — broker, stores, ingest, detectors, alarms, the board,
and a few simulated homes, one of which presses SOS within the first seconds.

Broker: Mosquitto with Anju's configuration when installed, otherwise the embedded Python broker.
Stores: SQLite files in `var/demo/`. Simulated homes: `firmware_sim.demo` when present, else the
small publisher below. Ctrl-C (or SIGTERM) stops everything in order.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import random
import shutil
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from anju import logging as anju_logging
from anju.cli import Command
from anju.commands.serve import wait_for_signal
from anju.settings import load
from broker.mosquitto import Mosquitto, find_mosquitto, free_port
from domain.model import Device, DeviceKind, Home, Resident, Room
from domain.ports import StateStore
from domain.topics import topic

log = anju_logging.get("anju.demo")


class Broker(Protocol):
    port: int

    def stop(self) -> None: ...


@dataclass
class DemoHome:
    home: Home
    residents: list[Resident]
    devices: list[Device]


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
    module: Any = importlib.import_module("broker.embedded")
    started: Broker = module.start_embedded(workdir / "embedded", port)
    return started, "3.1.1"


# ---- the small built-in simulation (used until/unless firmware_sim.demo is present) -----------

_STREETS = ("景洪市嘎兰中路", "景洪市勐泐大道", "景洪市宣慰大道", "景洪市曼听路", "景洪市民航路")
_NAMES = ("玉罕", "岩温", "玉应", "岩罕", "玉香", "岩峰", "玉燕", "岩叫")


def mini_homes(n: int, seed: int) -> list[DemoHome]:
    rng = random.Random(seed)
    homes = []
    for i in range(n):
        home_id = f"demo-{i + 1:02d}"
        home = Home(
            home_id,
            "jinghong-01",
            address=f"{_STREETS[i % len(_STREETS)]} {rng.randint(1, 199)} 号",
            lat=22.0 + rng.random() * 0.05,
            lon=100.78 + rng.random() * 0.05,
        )
        resident = Resident(f"{home_id}-r1", home_id, _NAMES[i % len(_NAMES)], 1940 + i)
        devices = [
            Device(f"{home_id}-pendant", home_id, DeviceKind.PENDANT, "demo-pendant"),
            Device(f"{home_id}-sos", home_id, DeviceKind.SOS_BUTTON, "demo-button", Room.BEDROOM),
            Device(f"{home_id}-pir-bath", home_id, DeviceKind.MOTION, "demo-pir", Room.BATHROOM),
            Device(f"{home_id}-pir-kitchen", home_id, DeviceKind.MOTION, "demo-pir", Room.KITCHEN),
        ]
        homes.append(DemoHome(home, [resident], devices))
    return homes


@dataclass
class MiniSim:
    """Heart rate each 10 s, some motion, an SOS in the first home after ~3 s and then now and
    then in a random home. Sequence numbers start at the current time in ms, so a restarted demo
    never replays numbers ingest has already stored."""

    host: str
    port: int
    homes: list[DemoHome]
    seed: int
    protocol: str
    stop: threading.Event
    first_sos_s: float = 3.0
    sos_every_s: float = 90.0
    _seq: dict[str, int] = field(default_factory=dict)

    def run(self) -> None:
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        proto = mqtt.MQTTv5 if self.protocol == "5" else mqtt.MQTTv311
        client = mqtt.Client(CallbackAPIVersion.VERSION2, "anju-demo-sim", protocol=proto)
        client.connect_async(self.host, self.port)
        client.loop_start()
        rng = random.Random(self.seed)
        started = time.monotonic()
        next_sos = started + self.first_sos_s
        next_beat = started
        sos_home = 0
        try:
            while not self.stop.wait(0.5):
                now = time.monotonic()
                if now >= next_beat:
                    next_beat = now + 10
                    for home in self.homes:
                        self._reading(client, home.devices[0], rng)
                        if rng.random() < 0.5:
                            pir = home.devices[2 + rng.randrange(2)]
                            self._event(client, pir, {"type": "motion", "state": True})
                if now >= next_sos:
                    next_sos = now + self.sos_every_s * (0.5 + rng.random())
                    button = self.homes[sos_home].devices[1]
                    self._event(client, button, {"type": "sos"})
                    log.info("simulated SOS press", device=button.device_id)
                    sos_home = rng.randrange(len(self.homes))
        finally:
            client.loop_stop()
            client.disconnect()

    def _next(self, device: Device) -> tuple[int, int]:
        ts = int(time.time() * 1000)
        seq = max(self._seq.get(device.device_id, 0) + 1, ts)
        self._seq[device.device_id] = seq
        return seq, ts

    def _publish(self, client: Any, device: Device, channel: str, body: dict[str, Any]) -> None:
        name = topic(device.home_id, device.device_id, channel)  # type: ignore[arg-type]
        info = client.publish(name, json.dumps(body), qos=1)
        if info.rc != 0:
            log.warning("publish failed", rc=info.rc, topic=name)

    def _reading(self, client: Any, device: Device, rng: random.Random) -> None:
        seq, ts = self._next(device)
        values = {"heart_rate": round(rng.gauss(72, 6), 1), "battery": 87.0}
        self._publish(client, device, "reading", {"v": 1, "seq": seq, "ts": ts, "values": values})

    def _event(self, client: Any, device: Device, fields: dict[str, Any]) -> None:
        seq, ts = self._next(device)
        self._publish(client, device, "event", {"v": 1, "seq": seq, "ts": ts, **fields})


# ---- the command ---------------------------------------------------------------------------

Runner = Callable[[threading.Event], None]


def simulation(
    host: str, port: int, n: int, *, seed: int, speed: float, protocol: str
) -> tuple[list[DemoHome], Runner]:
    if importlib.util.find_spec("firmware_sim.demo") is not None:
        sim: Any = importlib.import_module("firmware_sim.demo")
        sim_homes = sim.demo_homes(n, seed)
        homes = [DemoHome(h.home, list(h.residents), list(h.devices)) for h in sim_homes]

        def run_sim(stop: threading.Event) -> None:
            sim.run_demo(
                host, port, sim_homes, speed=speed, seed=seed, stop=stop, protocol=protocol
            )

        return homes, run_sim
    homes = mini_homes(n, seed)

    def run_mini(stop: threading.Event) -> None:
        MiniSim(host, port, homes, seed, protocol, stop).run()

    return homes, run_mini


def provision(store: StateStore, homes: list[DemoHome]) -> None:
    for item in homes:
        store.upsert_home(item.home)
        for resident in item.residents:
            store.upsert_resident(resident)
        for device in item.devices:
            store.upsert_device(device)


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, default=Path("var/demo"))
    parser.add_argument("--http-port", type=int, default=8000)
    parser.add_argument("--mqtt-port", type=int, help="default 1883 when free, else any free port")
    parser.add_argument("--homes", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--speed", type=float, default=1.0, help="simulated time per real time")
    parser.add_argument("--fresh", action="store_true", help="start from empty stores")
    parser.add_argument("--embedded-broker", action="store_true", help="even if Mosquitto exists")


def _run(args: argparse.Namespace) -> int:
    from anju.wiring import build

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
        mqtt_share_group="anju-ingest" if protocol == "5" else None,
        mqtt_client_id="anju-demo-ingest",
        http_port=args.http_port,
    )
    stop = threading.Event()
    sim_thread: threading.Thread | None = None
    anju = build(settings)
    try:
        homes, run_sim = simulation(
            "127.0.0.1",
            broker.port,
            args.homes,
            seed=args.seed,
            speed=args.speed,
            protocol=protocol,
        )
        provision(anju.state_store, homes)
        anju.start()
        sim_thread = threading.Thread(target=run_sim, args=(stop,), name="demo-sim", daemon=True)
        sim_thread.start()
        print(
            f"\n  安居 Anju demo — 值班台 board: {anju.url}/   (English: {anju.url}/?lang=en)",
            flush=True,
        )
        print(
            f"  broker 127.0.0.1:{broker.port} (MQTT {protocol}), data in {data_dir}/", flush=True
        )
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


COMMANDS = [Command(("demo",), "run the whole system with simulated homes", _configure, _run)]
