"""`anju train fall`, `anju eval fall`, `anju bench fall`: the fall classifier, rerunnable."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from anju.cli import Command
from anju.commands._bench import add_json_flag, report, show_lines
from detectors.fall.model import DEFAULT_MODEL, load

SUMMARY = (
    "sensitivity",
    "specificity",
    "se_specificity",
    "false_alarms_per_hour",
    "se_false_alarms_per_hour",
    "missed_falls",
    "false_alarm_trials",
)


def _print(doc: dict[str, Any], as_json: bool) -> None:
    if as_json:
        json.dump(doc, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return
    for name, part in doc.items():
        if isinstance(part, dict) and "sensitivity" in part:
            figures = ", ".join(f"{k}={part[k]}" for k in SUMMARY if k in part)
            print(f"{name}: {figures}")
        elif name in SUMMARY or name in ("recordings", "falls", "adls", "rejected"):
            print(f"{name}: {part}")


def _subjects(value: str | None) -> set[str] | None:
    return {s.strip().upper() for s in value.split(",") if s.strip()} if value else None


def _configure_train(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sisfall", type=Path, required=True, help="sisfall_adxl345_int16.npz")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL, help="model JSON to write")
    parser.add_argument("--subjects", help="comma-separated subset, e.g. SA01,SA02 (tests)")
    parser.add_argument("--trees", type=int, help="boosting rounds (default 200; tests use few)")


def _run_train(args: argparse.Namespace) -> int:
    from detectors.fall.sisfall import trials
    from detectors.fall.training import featurize, fit

    started = time.perf_counter()
    items = featurize(trials(args.sisfall, _subjects(args.subjects)))
    model = fit(items, args.seed, args.trees)
    model.save(args.out)
    print(
        f"trained on {len(items)} trials ({model.meta['windows']} windows), "
        f"{model.feature.shape[0]} trees, {time.perf_counter() - started:.1f} s -> {args.out}"
    )
    return 0


def _configure_eval(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "dir", nargs="?", type=Path, help="folder with labels.csv + t,ax,ay,az CSVs"
    )
    parser.add_argument("--sisfall", type=Path, help="subject-wise cross-validation on SisFall")
    parser.add_argument("--json", action="store_true", help="print the full JSON report")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--subjects", help="comma-separated subset of SisFall subjects")
    parser.add_argument("--trees", type=int, help="boosting rounds (default 200; tests use few)")
    parser.add_argument(
        "--rotate", type=int, metavar="SEED", help="also rotate every trial at random (SisFall)"
    )
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="model for DIR")
    parser.add_argument(
        "--convert-ms2", action="store_true", help="accept m/s^2 recordings, converting them"
    )


def _run_eval(args: argparse.Namespace) -> int:
    if (args.dir is None) == (args.sisfall is None):
        print("give either DIR or --sisfall PATH", file=sys.stderr)
        return 2
    if args.dir is not None:
        from detectors.fall.recordings import RecordingError, evaluate_dir

        try:
            doc = evaluate_dir(args.dir, load(args.model), convert_ms2=args.convert_ms2)
        except RecordingError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        _print(doc, args.json)
        return 0
    from detectors.fall.sisfall import trials
    from detectors.fall.training import cross_validate, featurize

    subjects = _subjects(args.subjects)
    started = time.perf_counter()
    result = cross_validate(
        featurize(trials(args.sisfall, subjects)), args.seed, args.folds, args.trees
    )
    if args.rotate is not None:
        rotated = featurize(trials(args.sisfall, subjects), rotate_seed=args.rotate)
        turned = cross_validate(rotated, args.seed, args.folds, args.trees)["model"]
        result["rotated_model"] = turned
        result["rotation_delta"] = {
            k: round(abs(turned[k] - result["model"][k]), 4)
            for k in ("sensitivity", "specificity", "se_specificity")
            if turned[k] is not None and result["model"][k] is not None
        }
    result["seconds"] = round(time.perf_counter() - started, 1)
    _print(result, args.json)
    return 0


def _configure_bench(parser: argparse.ArgumentParser) -> None:
    add_json_flag(parser)
    parser.add_argument("--n", type=int, default=2000, help="windows to time")
    parser.add_argument("--seed", type=int, default=0)


def _run_bench(args: argparse.Namespace) -> int:
    from benchmarks.fall_classify import run

    return report(args, lambda: run(args.n, args.seed), show_lines)


COMMANDS = [
    Command(
        ("train", "fall"), "train the fall classifier on SisFall", _configure_train, _run_train
    ),
    Command(
        ("eval", "fall"),
        "measure fall detection (SisFall CV or a recording folder)",
        _configure_eval,
        _run_eval,
    ),
    Command(
        ("bench", "fall"), "time the classification of one window", _configure_bench, _run_bench
    ),
]
