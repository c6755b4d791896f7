"""`anju bench escalation`: SOS publish -> first channel dispatch under load; timer ticks."""

from __future__ import annotations

import argparse

from anju.cli import Command
from anju.commands._bench import Doc, add_json_flag, cannot_run, mosquitto_missing, report, say


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, default=200, help="SOS presses under load")
    parser.add_argument("--idle-n", type=int, default=50, help="SOS presses with no load")
    parser.add_argument("--rate", type=float, default=2000.0, help="background readings/s")
    parser.add_argument("--gap", type=float, default=0.1, help="seconds between presses")
    parser.add_argument("--settle", type=float, default=2.0, help="seconds of load before")
    parser.add_argument("--open-alarms", type=int, default=10_000, help="for the tick figures")
    parser.add_argument("--baseline-alarms", type=int, default=100)
    parser.add_argument("--ticks-only", action="store_true", help="skip the dispatch run")
    add_json_flag(parser)


def _show(doc: Doc) -> None:
    if "dispatch" in doc:
        d = doc["dispatch"]
        print(
            f"SOS -> first dispatch under {d['background_per_s']:.0f} readings/s: "
            f"p50 {d['sos_to_dispatch_p50_ms']} ms, p99 {d['sos_to_dispatch_p99_ms']} ms "
            f"(n={d['n']}, lost {d['lost']})\n"
            f"  idle: p50 {d['idle_p50_ms']} ms, p99 {d['idle_p99_ms']} ms; "
            f"live feed under load: p50 {d['feed_p50_ms']} ms, p99 {d['feed_p99_ms']} ms\n"
            f"  dispatch after feed: p50 {d['dispatch_after_feed_p50_ms']} ms, "
            f"p99 {d['dispatch_after_feed_p99_ms']} ms; escalation off, feed: "
            f"p50 {d['baseline_feed_p50_ms']} ms, p99 {d['baseline_feed_p99_ms']} ms"
        )
    for name in ("ticks_baseline", "ticks"):
        t = doc[name]
        print(
            f"{t['open_alarms']:>6} open alarms: idle tick {t['idle_tick_median_us']} us "
            f"(p99 {t['idle_tick_p99_us']}), busy tick median {t['busy_tick_median_ms']} ms, "
            f"{t['ms_per_fired_timer']} ms per fired timer ({t['timers_fired']} fired)"
        )


def _run(args: argparse.Namespace) -> int:
    if not args.ticks_only and mosquitto_missing():
        return cannot_run("mosquitto is not installed (use --ticks-only)")
    from benchmarks.escalation import run

    return report(
        args,
        lambda: run(
            args.n,
            idle_n=args.idle_n,
            rate=args.rate,
            gap_s=args.gap,
            settle_s=args.settle,
            open_alarms=args.open_alarms,
            baseline_alarms=args.baseline_alarms,
            skip_dispatch=args.ticks_only,
            log=say,
        ),
        _show,
    )


COMMANDS = [
    Command(
        ("bench", "escalation"),
        "SOS -> first notification under load; timer ticks with 10,000 open alarms",
        _configure,
        _run,
    )
]
