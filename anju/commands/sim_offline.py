"""`anju sim score|replay|calibrate|list|provision`: the simulator's offline commands.

`anju sim run` (homes live on a broker) is in `anju.commands.sim`; these read a run's ground truth,
replay a scenario without a broker, compare personas with real homes, or prepare a state store.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from datetime import datetime
from pathlib import Path

from anju.cli import Command
from anju.commands.sim import add_scenario_args


def _configure_score(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--truth", type=Path, default=Path("sim-truth.json"))
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--state-url",
        nargs="+",
        help="read alarms from these state stores (SQLAlchemy URLs; a replay's OUT/part-*)",
    )
    where.add_argument("--api", help="read alarms from Anju's web API, e.g. http://127.0.0.1:8000")
    parser.add_argument("--json", action="store_true")


def _score(args: argparse.Namespace) -> int:
    from firmware_sim.alarms_source import from_api, from_state
    from firmware_sim.score import render, score
    from firmware_sim.truth import Truth

    truth = Truth.load(args.truth)
    if args.api:
        alarms = from_api(args.api)
    else:
        from anju.settings import Settings

        urls = args.state_url or [Settings().resolved_state_url()]
        alarms = [a for url in urls for a in from_state(url)]
    report = score(truth, alarms)
    print(json.dumps(report, ensure_ascii=False) if args.json else render(report))
    return 0


def _configure_list(parser: argparse.ArgumentParser) -> None:
    del parser


def _list(args: argparse.Namespace) -> int:
    from firmware_sim import scenario

    for name in scenario.available():
        sc = scenario.load(name)
        print(f"{name:16s} {sc.homes:6d} homes {sc.days:5g} days  {sc.description}")
    return 0


def _configure_provision(parser: argparse.ArgumentParser) -> None:
    add_scenario_args(parser)
    parser.add_argument("--state-url", help="SQLAlchemy URL (default: settings)")


def _provision(args: argparse.Namespace) -> int:
    from anju.settings import Settings
    from firmware_sim import scenario
    from firmware_sim.provision import provision
    from firmware_sim.session import scenario_homes

    sc = scenario.load(args.scenario)
    homes = scenario_homes(sc, args.homes or sc.homes, args.seed)
    url = args.state_url or Settings().resolved_state_url()
    print(f"provisioned {len(homes)} homes, {provision(homes, url)} devices into {url}")
    return 0


def _configure_replay(parser: argparse.ArgumentParser) -> None:
    add_scenario_args(parser)
    parser.add_argument("--days", type=float, default=None)
    parser.add_argument("--start", default="2026-03-02T00:00:00+08:00", help="ISO start time")
    parser.add_argument("--out", type=Path, default=Path("var/sim-replay"), help="work folder")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes the homes are dealt out to (same score; stores in OUT/part-<k>)",
    )
    parser.add_argument(
        "--tick", type=float, default=None, help="simulated s between detector ticks (15)"
    )
    parser.add_argument("--json", action="store_true")


def _replay(args: argparse.Namespace) -> int:
    from firmware_sim import scenario
    from firmware_sim.replay import ReplayOptions, replay
    from firmware_sim.score import render

    sc = scenario.load(args.scenario)
    days = args.days if args.days is not None else sc.days
    start = datetime.fromisoformat(args.start).timestamp()
    if args.workers < 1 or (args.tick is not None and not 0 < args.tick <= 600):
        print("--workers must be >= 1 and --tick in (0, 600]", file=sys.stderr)
        return 2
    options = ReplayOptions() if args.tick is None else ReplayOptions(tick_s=args.tick)
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    report = replay(
        sc,
        args.homes or sc.homes,
        days,
        seed=args.seed,
        start=start,
        folder=args.out,
        options=options,
        workers=args.workers,
    )
    wall = time.perf_counter() - t0
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() - cpu0 + children.ru_utime + children.ru_stime
    report["wall_s"] = round(wall, 1)
    report["cpu_s"] = round(cpu, 1)
    report["messages_per_wall_s"] = round(report["messages"] / wall) if wall > 0 else None
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(render(report))
        print(
            f"messages {report['messages']}  gate {report['gate']}  wall {report['wall_s']} s"
            f"  cpu {report['cpu_s']} s  {report['messages_per_wall_s']} msg/s"
            f"  workers {report['workers']}  peak RSS {report['max_rss_mb']} MB per process"
        )
    return 0


def _configure_calibrate(parser: argparse.ArgumentParser) -> None:
    default = Path(__file__).resolve().parents[3] / "shared" / "data" / "vankasteren"
    parser.add_argument("--data", type=Path, default=default, help="van Kasteren folder")


def _calibrate(args: argparse.Namespace) -> int:
    from firmware_sim.calibration import render, table

    if not args.data.exists():
        print(f"{args.data} not found: showing the simulated personas only", file=sys.stderr)
    print(render(table(args.data)))
    return 0


COMMANDS = [
    Command(
        ("sim", "score"),
        "compare Anju's alarms with a run's ground truth",
        _configure_score,
        _score,
    ),
    Command(
        ("sim", "calibrate"),
        "compare personas with the van Kasteren homes",
        _configure_calibrate,
        _calibrate,
    ),
    Command(
        ("sim", "replay"),
        "replay a scenario through gate, detectors and alarms offline, then score",
        _configure_replay,
        _replay,
    ),
    Command(("sim", "list"), "list the shipped scenarios", _configure_list, _list),
    Command(
        ("sim", "provision"),
        "put a scenario's homes into the state store",
        _configure_provision,
        _provision,
    ),
]
