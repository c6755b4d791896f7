"""Decoder of the Qingmai B2 band's JSON, as the G1 gateway forwards it.

Pure: it reads the payload and returns contract messages as dicts; no I/O, no globals.
The band has no real-time clock, so no `ts` is returned (Anju stamps the arrival time) and
no `seq` either (Anju numbers the band's messages itself).
"""

from __future__ import annotations

import json
from typing import Any

KEYS = {"sos": "sos", "ok": "cancel"}  # the band's key names -> contract event types


def decode(payload: bytes, ctx: Any) -> list[dict[str, Any]]:
    msg = json.loads(payload)
    kind = msg["kind"]
    if kind == "vitals":
        values: dict[str, Any] = {"steps": int(msg["step"]), "battery": float(msg["bat"])}
        if msg.get("hr"):  # 0 while the band is off the wrist: no reading, not a pulse of 0
            values["heart_rate"] = float(msg["hr"])
        if msg.get("spo2"):
            values["spo2"] = float(msg["spo2"])
        return [{"channel": "reading", "values": values}]
    if kind == "key":
        return [{"channel": "event", "type": KEYS[msg["key"]]}]
    raise ValueError(f"unknown message kind {kind!r}")
