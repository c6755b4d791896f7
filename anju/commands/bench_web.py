"""`anju bench web`: the board and the API with 10,000 homes and 500 open alarms."""

from __future__ import annotations

import argparse
from pathlib import Path

from anju.cli import Command
from anju.commands._bench import Doc, add_json_flag, cannot_run, report, say


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--homes", type=int, default=10_000)
    parser.add_argument("--alarms", type=int, default=500, help="open alarms before measuring")
    parser.add_argument(
        "--loads",
        type=int,
        default=20,
        help="board first loads in Chromium (>= 20: p95 is not the max)",
    )
    parser.add_argument(
        "--new-alarms",
        type=int,
        default=300,
        help="alarms raised while watched (>= 300: p99 is not the max)",
    )
    parser.add_argument("--gap", type=float, default=0.1, help="mean seconds between new alarms")
    parser.add_argument("--requests", type=int, default=200, help="requests per API endpoint")
    parser.add_argument("--rounds", type=int, default=5, help="API figures: median of rounds")
    parser.add_argument(
        "--state-url", help="PostgreSQL URL (a throwaway schema is used); default: SQLite"
    )
    parser.add_argument(
        "--no-settle",
        action="store_true",
        help="skip what anju serve does after start (gc.freeze): the A/B of that step",
    )
    add_json_flag(parser)


def _show(doc: Doc) -> None:
    load, new = doc["board_load"], doc["new_alarm"]
    print(
        f"{doc['homes']} homes, {doc['open_alarms']} open alarms ({doc['state_store']}), "
        f"load {doc['load_avg_1m']} on {doc['cpus']} CPUs\n"
        f"board first load: p50 {load['p50_ms']} ms, p95 {load['p95_ms']} ms (n={load['n']})\n"
        f"new alarm on the page: p50 {new['p50_ms']} ms, p99 {new['p99_ms']} ms "
        f"(n={new['n']}, lost {new['lost']}); next frame p99 {new['next_frame']['p99_ms']} ms\n"
        f"  of which alarm service call p99 {new['service_call']['p99_ms']} ms, "
        f"feed event in the page p99 {new['feed_event']['p99_ms']} ms, "
        f"event to row p99 {new['event_to_row']['p99_ms']} ms"
    )
    for path, e in doc["api"]["endpoints"].items():
        pages = f"  ({e['pages']} pages, not a goal)" if "pages" in e else ""
        print(
            f"  {path:45} p50 {e['p50_ms']:7} ms  p95 {e['p95_ms']:7} ms  "
            f"x{e['p95_vs_api_me']:<5} rounds' p95 {e['p95_rounds_ms']}{pages}"
        )
    print(
        "goals: " + ", ".join(f"{k} {'met' if v else 'NOT met'}" for k, v in doc["goals"].items())
    )


def _run(args: argparse.Namespace) -> int:
    if not Path("/usr/bin/chromium").exists():
        return cannot_run("/usr/bin/chromium is not installed (apt-get install chromium)")
    if args.alarms + args.new_alarms > args.homes:
        return cannot_run("--alarms + --new-alarms must not exceed --homes")
    from benchmarks.web import run

    return report(
        args,
        lambda: run(
            homes=args.homes,
            alarms=args.alarms,
            loads=args.loads,
            new_alarms=args.new_alarms,
            gap_s=args.gap,
            requests=args.requests,
            rounds=args.rounds,
            state_url=args.state_url,
            settle=not args.no_settle,
            log=say,
        ),
        _show,
    )


COMMANDS = [
    Command(("bench", "web"), "board load, new alarm to page, API lists at scale", _configure, _run)
]
