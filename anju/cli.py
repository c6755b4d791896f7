"""The `anju` command. Each module in `anju.commands` contributes its sub-commands."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Run = Callable[[argparse.Namespace], int]


@dataclass(frozen=True)
class Command:
    path: tuple[str, ...]  # e.g. ("bench", "ingest")
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Run


GROUP_HELP = {
    "bench": "measure a figure against a baseline in the same run",
    "contract": "the device contract",
    "convert": "convert recordings into Anju's formats",
    "eval": "measure a detector on recordings",
    "train": "train a detector's model",
    "sim": "simulated homes: run scenarios, score alarms",
    "gateway": "the home gateway",
    "device": "device models: check conformance",
    "users": "accounts of the web app and API",
}
BROKEN: dict[str, str] = {}  # command module -> why it could not be loaded


def _commands() -> list[Command]:
    import anju.commands as package

    found: list[Command] = []
    for info in pkgutil.iter_modules(package.__path__):
        try:
            module = importlib.import_module(f"anju.commands.{info.name}")
        except Exception as exc:  # one broken module must not take the whole command down
            BROKEN[info.name] = f"{type(exc).__name__}: {exc}"
            print(f"anju: commands of {info.name!r} unavailable: {exc}", file=sys.stderr)
            continue
        found.extend(getattr(module, "COMMANDS", []))
    return sorted(found, key=lambda c: c.path)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="anju", description="Anju (安居): watch over older people at home"
    )
    parser.add_argument("--config", help="YAML settings file (also ANJU_CONFIG)")
    groups: dict[tuple[str, ...], argparse._SubParsersAction[argparse.ArgumentParser]] = {}
    parsers: dict[tuple[str, ...], argparse.ArgumentParser] = {(): parser}
    for command in _commands():
        for depth in range(len(command.path)):
            prefix, name = command.path[:depth], command.path[depth]
            key = (*prefix, name)
            if key in parsers:
                continue
            if prefix not in groups:
                groups[prefix] = parsers[prefix].add_subparsers(dest=f"cmd{depth}", required=True)
            is_leaf = depth == len(command.path) - 1
            sub = groups[prefix].add_parser(
                name, help=command.help if is_leaf else GROUP_HELP.get(name)
            )
            parsers[key] = sub
            if is_leaf:
                try:
                    command.configure(sub)
                except Exception as exc:
                    name = " ".join(command.path)
                    BROKEN[name] = f"{type(exc).__name__}: {exc}"
                    print(f"anju: command {name!r} unavailable: {exc}", file=sys.stderr)
                sub.set_defaults(_run=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.config:
        import os

        os.environ["ANJU_CONFIG"] = args.config
    run: Run = args._run
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
