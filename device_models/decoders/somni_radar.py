"""Somni R3 ceiling radar: detects falls itself and reports presence, no camera, no wearable.

{"ts": 1767225600123, "event": "fall_detected", "conf": 0.93, "targets": 1}
{"ts": 1767225600123, "event": "presence", "present": true, "targets": 1}
{"ts": 1767225600123, "event": "heartbeat", "fw": "3.2.0", "uptime": 86400}
"""

from __future__ import annotations

from typing import Any

import msgspec


def decode(payload: bytes, ctx: Any) -> list[dict[str, Any]]:
    doc = msgspec.json.decode(payload)
    if not isinstance(doc, dict):
        raise ValueError("payload is not a JSON object")
    event = doc.get("event")
    ts = doc.get("ts", ctx.received_ms)
    if event == "fall_detected":
        out: dict[str, Any] = {"channel": "event", "ts": ts, "type": "fall"}
        if doc.get("conf") is not None:
            out["confidence"] = doc["conf"]
        return [out]
    if event == "presence":
        return [{"channel": "event", "ts": ts, "type": "motion", "state": bool(doc["present"])}]
    if event == "heartbeat":
        status: dict[str, Any] = {"channel": "status", "ts": ts}
        if "fw" in doc:
            status["fw"] = str(doc["fw"])[:32]
        if "uptime" in doc:
            status["uptime_s"] = doc["uptime"]
        return [status]
    raise ValueError(f"unknown event {event!r}")
