"""Structured logs: one JSON object per line, also for the standard library's loggers."""

from __future__ import annotations

import io
import json
import logging

from anju import logging as anju_logging


def test_json_logs_carry_level_logger_time_and_fields() -> None:
    out = io.StringIO()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        anju_logging.configure("INFO", "json", stream=out)
        anju_logging.get("anju.test").info("alarm raised", home="h1", count=2)
        logging.getLogger("ingest.service").warning("disconnected (%s)", "timeout")
        logging.getLogger("ingest.service").debug("not shown at INFO")
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            logging.getLogger("detectors.registry").exception("detector failed")
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(x["level"], x["logger"], x["event"]) for x in lines] == [
        ("info", "anju.test", "alarm raised"),
        ("warning", "ingest.service", "disconnected (timeout)"),
        ("error", "detectors.registry", "detector failed"),
    ]
    assert lines[0]["home"] == "h1" and lines[0]["count"] == 2
    assert all(x["timestamp"].endswith("Z") for x in lines)
    assert "RuntimeError: boom" in lines[2]["exception"]


def test_console_logs_are_one_readable_line() -> None:
    out = io.StringIO()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        anju_logging.configure("INFO", "console", stream=out)
        anju_logging.get("anju.test").info("安居 started", port=8000)
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    text = out.getvalue()
    assert "安居 started" in text and "port=8000" in text and "[info" in text
