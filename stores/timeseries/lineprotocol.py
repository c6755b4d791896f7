"""InfluxDB line protocol for Anju's points (pure functions, no I/O).

measurement = Point.measurement; tags home_id, device_id; fields = Point.fields plus `seq`
(an integer field, not a tag: a tag per sequence number would explode series cardinality);
timestamp in milliseconds (write precision "ms").

InfluxDB identifies a point by measurement, tag set and time, so a redelivered point overwrites
itself (idempotent). Two different points of one device in the same millisecond with the same
measurement would merge; devices send at most a few messages per second.
"""

from __future__ import annotations

import math

from domain.points import FieldValue, Point

_MEASUREMENT_ESCAPES = str.maketrans({",": r"\,", " ": r"\ ", "\n": r"\n"})
_KEY_ESCAPES = str.maketrans({",": r"\,", "=": r"\=", " ": r"\ ", "\n": r"\n"})
SEQ_FIELD = "seq"


def _field(value: FieldValue) -> str | None:
    if isinstance(value, bool):  # before int: bool is an int in Python
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value}i"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else None  # line protocol has no NaN
    text = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


def to_line(point: Point) -> bytes:
    measurement = point.measurement.translate(_MEASUREMENT_ESCAPES)
    home = point.home_id.translate(_KEY_ESCAPES) or "_"
    device = point.device_id.translate(_KEY_ESCAPES) or "_"
    fields = [f"{SEQ_FIELD}={point.seq}i"]
    for key, value in sorted(point.fields.items()):
        if key == SEQ_FIELD:
            continue
        encoded = _field(value)
        if encoded is not None:
            fields.append(f"{key.translate(_KEY_ESCAPES)}={encoded}")
    line = f"{measurement},device_id={device},home_id={home} {','.join(fields)} {point.ts_ms}"
    return line.encode("utf-8")
