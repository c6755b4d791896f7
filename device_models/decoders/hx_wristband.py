"""HX-W4 4G wristband: JSON with its own shape, the device id (IMEI) inside the payload.

    {"imei": "865...", "type": "loc", "t": 1767225600, "gps": {"lat": .., "lng": .., "acc": 12},
     "hr": 72, "step": 1234, "bat": 81}
    {"imei": "865...", "type": "alarm", "alarm": "sos" | "fall" | "cancel", "t": 1767225600}
    {"imei": "865...", "type": "hb", "t": 1767225600, "bat": 81, "csq": 21, "ver": "W4_2.1"}

`t` is the band's clock in seconds; `csq` is the GSM signal quality 0-31 (mapped to dBm).
"""

from __future__ import annotations

from typing import Any

import msgspec

_ALARMS = {"sos": "sos", "fall": "fall", "cancel": "cancel"}


def decode(payload: bytes, ctx: Any) -> list[dict[str, Any]]:
    doc = msgspec.json.decode(payload)
    if not isinstance(doc, dict):
        raise ValueError("payload is not a JSON object")
    kind = doc.get("type")
    ts = int(doc["t"] * 1000) if "t" in doc else ctx.received_ms
    if kind == "loc":
        values: dict[str, Any] = {}
        gps = doc.get("gps")
        if gps:
            values.update(lat=gps["lat"], lon=gps["lng"], accuracy_m=gps.get("acc", 50))
        for key, name in (("hr", "heart_rate"), ("step", "steps"), ("bat", "battery")):
            if doc.get(key) is not None:
                values[name] = doc[key]
        return [{"channel": "reading", "ts": ts, "values": values}]
    if kind == "alarm":
        event = _ALARMS.get(doc.get("alarm", ""))
        if event is None:
            raise ValueError(f"unknown alarm {doc.get('alarm')!r}")
        return [{"channel": "event", "ts": ts, "type": event}]
    if kind == "hb":
        status: dict[str, Any] = {"channel": "status", "ts": ts}
        if "bat" in doc:
            status["battery"] = doc["bat"]
        if "csq" in doc:
            status["rssi"] = -113 + 2 * int(doc["csq"])
        if "ver" in doc:
            status["fw"] = str(doc["ver"])[:32]
        return [status]
    raise ValueError(f"unknown message type {kind!r}")
