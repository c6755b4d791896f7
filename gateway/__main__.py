"""`python -m gateway ...`: the gateway process (what `anju gateway run` becomes)."""

from __future__ import annotations

import argparse
import faulthandler
import logging
import signal
import sys
import threading
from collections.abc import Sequence

from gateway.config import add_arguments, from_args
from gateway.service import Gateway


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="anju gateway run", description="the home gateway")
    add_arguments(parser)
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # `kill -USR1`: where is it stuck?
    gateway = Gateway(from_args(args))
    stop = threading.Event()

    def _stop(_sig: int, _frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    gateway.run(stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
