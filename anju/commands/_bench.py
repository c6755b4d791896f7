"""What every `anju bench ...` command shares: the --json flag, progress on stderr, a missing
prerequisite, and running the benchmark then printing its figures as text or as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

Doc = dict[str, Any]


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON")


def say(text: str) -> None:
    """Progress for the operator: on stderr, so --json output on stdout stays parseable."""
    print(text, file=sys.stderr, flush=True)


def cannot_run(why: str) -> int:
    """A prerequisite (broker, browser, package) is absent or the options conflict: exit 2."""
    print(why, file=sys.stderr)
    return 2


def mosquitto_missing() -> bool:
    from broker.mosquitto import find_mosquitto

    return find_mosquitto() is None


def show_lines(doc: Doc) -> None:
    """The plain text form of a figures document: one `key: value` line per entry."""
    for key, value in doc.items():
        print(f"{key}: {value}")


def report(
    args: argparse.Namespace,
    measure: Callable[[], Doc],
    show: Callable[[Doc], None],
    passed: Callable[[Doc], bool] = lambda doc: True,
) -> int:
    """Run `measure`, print its document as JSON (--json) or through `show`; exit 0 if `passed`."""
    doc = measure()
    if args.json:
        json.dump(doc, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        show(doc)
    return 0 if passed(doc) else 1
