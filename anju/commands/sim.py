"""`anju sim run`: simulated homes on a broker (the offline commands are in `sim_offline`)."""

from __future__ import annotations

import argparse
import json
import resource
import signal
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from anju.cli import Command

DAY = 86400.0


def add_scenario_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", help="scenario name (anju sim list) or YAML file")
    parser.add_argument(
        "--homes", type=int, default=None, help="number of homes (default: scenario)"
    )
    parser.add_argument("--seed", type=int, default=1)


def _configure_run(parser: argparse.ArgumentParser) -> None:
    add_scenario_args(parser)
    parser.add_argument("--speed", default="1", help="simulated s per wall s; 'max': no waiting")
    parser.add_argument(
        "--days", type=float, default=None, help="simulated days (default: scenario)"
    )
    parser.add_argument("--start", default=None, help="ISO time the run starts (default: see docs)")
    parser.add_argument("--host", default=None, help="broker (default: settings mqtt_host)")
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--protocol", choices=["5", "3.1.1"], default=None)
    parser.add_argument("--connections", type=int, default=None, help="shared MQTT connections")
    parser.add_argument("--truth", type=Path, default=Path("sim-truth.json"))
    parser.add_argument("--provision", metavar="STATE_URL", help="also upsert homes/devices here")
    parser.add_argument("--seq-file", type=Path, help="keep device sequence numbers across runs")
    parser.add_argument("--dry-run", action="store_true", help="count messages, no broker")
    parser.add_argument(
        "--sim-clock",
        action="store_true",
        help="step Anju's clock with the simulation (Anju runs `anju sim serve`)",
    )
    parser.add_argument(
        "--clock-step", type=float, default=30.0, help="simulated s per clock step (--sim-clock)"
    )
    parser.add_argument("--json", action="store_true", help="print the run's figures as JSON")
    parser.add_argument("--no-progress", action="store_true")


def _start(args: argparse.Namespace, speed: float | None, days: float) -> float:
    if args.start:
        return datetime.fromisoformat(args.start).timestamp()
    now = time.time()
    return now if speed is not None else now - days * DAY  # replay ends now


def _run(args: argparse.Namespace) -> int:
    from firmware_sim import scenario
    from firmware_sim.firmware import SeqStore
    from firmware_sim.provision import CountingSink, provision
    from firmware_sim.session import Session, scenario_homes
    from firmware_sim.uplink import Sink

    sc = scenario.load(args.scenario)
    n = args.homes or sc.homes
    days = args.days if args.days is not None else sc.days
    speed = None if str(args.speed) in ("max", "0", "inf") else float(args.speed)
    start = _start(args, speed, days)
    t_build = time.perf_counter()
    homes = scenario_homes(sc, n, args.seed)
    if args.provision:
        print(f"provisioned {provision(homes, args.provision)} devices", file=sys.stderr)
    mqtt_sink = None if args.dry_run else _mqtt(args, sc.connections, homes)
    sink: Sink = CountingSink() if mqtt_sink is None else mqtt_sink
    leader = _leader(args) if args.sim_clock and mqtt_sink is not None else None
    session = Session(
        sc,
        homes,
        sink,
        seed=args.seed,
        start=start,
        speed=speed,
        seq_store=SeqStore(args.seq_file) if args.seq_file else None,
        commands=None if mqtt_sink is None else mqtt_sink.commands,
    )
    session.start()
    build_s = time.perf_counter() - t_build
    stop = _stop_on_signals()
    total = days * DAY
    wall0 = time.perf_counter()
    cpu0 = time.process_time()
    bar = _bar(total, args.no_progress or (speed is not None and total < 600))
    step = max(1.0, args.clock_step) if leader else 3600.0 if speed is None else 10.0
    after_step = None
    if leader is not None and mqtt_sink is not None:  # Anju's clock follows, one step behind
        after_step = lambda: leader.step(session.sim.engine.now, mqtt_sink.published)  # noqa: E731
    try:
        _drive(session, total, step=step, stop=stop, bar=bar, after_step=after_step)
    finally:
        if bar is not None:
            bar.close()
        session.sim.store.flush()
        if mqtt_sink is not None:
            mqtt_sink.flush(60.0)
            mqtt_sink.stop()
        if leader is not None:
            leader.stop()
        session.truth.save(args.truth)
    wall = time.perf_counter() - wall0
    published = int(getattr(sink, "published", 0))
    figures: dict[str, Any] = {
        "scenario": sc.name,
        "homes": n,
        "devices": sum(len(h.devices) for h in homes),
        "simulated_s": round(session.sim.engine.now - start, 1),
        "wall_s": round(wall, 2),
        "build_s": round(build_s, 2),
        "messages": published,
        "messages_per_wall_s": round(published / wall, 1) if wall > 0 else None,
        "messages_per_sim_s": round(published / max(session.sim.engine.now - start, 1e-9), 2),
        "cpu_share": round((time.process_time() - cpu0) / wall, 3) if wall > 0 else None,
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "incidents": sum(1 for i in session.truth.items if not i.misbehaviour),
        "misbehaviour_messages": session.sent_bad,
        "sisfall": session.windows.real,
        "truth": str(args.truth),
    }
    if leader is not None:
        figures["clock_steps"] = leader.steps
        figures["clock_wait_s"] = round(leader.wait_s, 1)
    print(json.dumps(figures) if args.json else "\n".join(f"{k}: {v}" for k, v in figures.items()))
    return 0


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_a: stop.set())
    signal.signal(signal.SIGTERM, lambda *_a: stop.set())
    return stop


def _drive(
    session: Any,
    total: float,
    *,
    step: float,
    stop: threading.Event,
    bar: Any,
    after_step: Callable[[], object] | None,
) -> None:
    done = 0.0
    while done < total and not stop.is_set():
        chunk = min(step, total - done)
        if not session.run(chunk, stop=stop):
            break
        done += chunk
        if after_step is not None:
            after_step()
        if bar is not None:
            bar.update(chunk / 3600.0)


def _leader(args: argparse.Namespace) -> Any:
    from anju.settings import Settings
    from firmware_sim.simclock import ClockLeader

    settings = Settings()
    return ClockLeader(args.host or settings.mqtt_host, args.port or settings.mqtt_port)


def _mqtt(args: argparse.Namespace, connections: int | None, homes: list[Any]) -> Any:
    from anju.settings import Settings
    from firmware_sim.mqtt import MqttSink

    settings = Settings()
    sink = MqttSink(
        args.host or settings.mqtt_host,
        args.port or settings.mqtt_port,
        [h.home_id for h in homes],
        connections=args.connections or connections,
        protocol=args.protocol or settings.mqtt_protocol,
        seed=args.seed,
    )
    sink.start()
    return sink


def _bar(total_s: float, off: bool) -> Any:
    if off:
        return None
    from tqdm import tqdm

    return tqdm(total=round(total_s / 3600.0, 2), unit="sim h", file=sys.stderr)


COMMANDS = [
    Command(("sim", "run"), "run simulated homes against a broker", _configure_run, _run),
]
