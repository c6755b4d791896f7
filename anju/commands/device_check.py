"""`anju device check MODEL_FILE SAMPLES_DIR [--json]`: prove a device model works end to end.

Exit 0 when every capability PASSes, 1 when one FAILs or is NOT COVERED, 2 when the model file or
the samples cannot be used (the message names the file, the line and the fix).
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from anju.cli import Command


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model_file", type=Path, help="the model's YAML file")
    parser.add_argument(
        "samples_dir", type=Path, help="sample payloads (bad/ holds ones it must reject)"
    )
    parser.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    parser.add_argument(
        "--no-live",
        action="store_true",
        help="only decode the samples (no broker, no pipeline); quick, but proves less",
    )


def _run(args: argparse.Namespace) -> int:
    from device_models.conformance import check

    # the throwaway broker and Anju are noisy at INFO; the verdicts are the output
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    report = check(args.model_file, args.samples_dir, live=not args.no_live)
    print(report.to_json() if args.json else report.to_text())
    return report.exit_code


COMMANDS = [
    Command(
        ("device", "check"),
        "check a device model file against sample payloads, through a throwaway pipeline",
        _configure,
        _run,
    )
]
