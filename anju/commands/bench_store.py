"""`anju bench store`: SQLite against DuckDB as the embedded time-series store."""

from __future__ import annotations

import argparse

from anju.cli import Command
from anju.commands._bench import Doc, add_json_flag, cannot_run, report


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, default=200_000, help="points (default 200000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per engine, alternating")
    parser.add_argument("--homes", type=int, default=20)
    parser.add_argument("--devices", type=int, default=5, help="devices per home")
    parser.add_argument("--queries", type=int, default=20, help="'last 24 h of a home' queries")
    add_json_flag(parser)


def _show(doc: Doc) -> None:
    print(f"{doc['n']} points in batches of {doc['batch']}, {doc['runs']} runs each (medians)")
    for name in ("sqlite", "duckdb"):
        e = doc[name]
        print(
            f"  {name:7s} {e['rows_per_s']:>9,} rows/s  query {e['query_ms']:>8.2f} ms "
            f"({e['rows_per_query']:.0f} rows)  1 h {e['query_1h_ms']:.3f} ms  "
            f"file {e['file_mb']} MB  runs {e['rows_per_s_runs']}"
        )
    print(f"  write: SQLite/DuckDB = {doc['write_ratio_sqlite_over_duckdb']}")
    print(f"  query 24 h: DuckDB/SQLite time = {doc['query_ratio_duckdb_over_sqlite']}")
    print(f"  query 1 h:  DuckDB/SQLite time = {doc['query_1h_ratio_duckdb_over_sqlite']}")
    print(
        f"  InfluxDB adapter write (disk spool): {doc['influx_spool_rows_per_s']:,} rows/s, "
        f"{doc['spool_ratio_over_sqlite']} x SQLite"
    )
    print(f"  stored - written (must be 0): {doc['lost_or_doubled']}")


def _run(args: argparse.Namespace) -> int:
    try:
        import duckdb  # noqa: F401
    except ImportError:
        return cannot_run("duckdb is not installed: pip install -e '.[bench]'")
    from benchmarks.timeseries_store import run

    return report(
        args, lambda: run(args.n, args.runs, args.homes, args.devices, args.queries), _show
    )


COMMANDS = [
    Command(
        ("bench", "store"), "SQLite vs DuckDB as the embedded time-series store", _configure, _run
    )
]
