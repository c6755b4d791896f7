"""Write model files for tests."""

from __future__ import annotations

from pathlib import Path

NOW_MS = 1_767_225_600_000

BASE = """\
id: {id}
vendor: Test
model: T1
kind: motion
power: battery
supervision:
  heartbeat_s: 3600
  offline_after_s: 90000
match:
  topic: "{topic}"
  payload: {payload}
{decoder}capabilities:
  - {{name: motion, type: motion}}
  - {{name: temperature, type: temperature, unit: "°C", range: [-20, 60]}}
  - {{name: battery, type: battery, unit: "%", range: [0, 100], low_below: 15}}
"""


def model_text(
    model_id: str = "test-t1",
    *,
    topic: str = "test/{device}/up",
    payload: str = "json",
    decoder: str | None = "dec:decode",
    limits: str = "",
) -> str:
    dec = f"decoder: {decoder}\n" if decoder else ""
    text = BASE.format(id=model_id, topic=topic, payload=payload, decoder=dec + limits)
    return text


def write_model(folder: Path, name: str = "t1.yaml", **kw: str | None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(model_text(**kw), encoding="utf-8")  # type: ignore[arg-type]
    return path


def write_decoder(folder: Path, body: str, name: str = "dec.py") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(
        "from typing import Any\n\n\ndef decode(payload: bytes, ctx: Any) -> Any:\n"
        + "".join(f"    {line}\n" for line in body.splitlines()),
        encoding="utf-8",
    )
    return path
