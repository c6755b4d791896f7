"""Scenario files: homes, personas, incidents with the alarm that should follow, misbehaviour.

    name: detectors
    homes: 10                      # default; `anju sim run --homes` overrides
    days: 3                        # default simulated duration
    personas: [napper, frail]      # cycled over the homes (default: all five)
    connections: null              # null: one MQTT connection per home; N: N shared ones
    incidents:
      - {type: fall, homes: [1, 3], at: "d1 10:30"}            # day 1, local time
      - {type: sos, homes: all, at: "+20s"}                    # offset from the start
      - {type: dropped_pendant, share: 0.2, at: ["d1 09:00", "d2 17:00"], params: {}}
      - {type: fall, homes: [2], at: "d2 08:00", expect: [fall], within: 240}
    misbehaviour:
      - {type: malformed, homes: [1], at: "+30s", count: 5}

`homes` are 1-based indexes (or `all`); `share` picks that fraction of the homes with the seed.
An incident's `expect` / `within` override the defaults in firmware_sim.incidents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from firmware_sim.incidents import INCIDENTS
from firmware_sim.misbehave import MISBEHAVIOURS
from firmware_sim.people import PersonaName

SCENARIO_DIR = Path(__file__).parent / "scenarios"
_OFFSET = re.compile(r"^\+(\d+(?:\.\d+)?)([smhd])$")
_DAY_TIME = re.compile(r"^d(\d+)\s+(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_UNIT = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


@dataclass(frozen=True, slots=True)
class Planned:
    """One incident or misbehaviour at one home at one moment."""

    kind: str
    home_index: int  # 0-based
    t: float
    params: dict[str, Any]
    expect: tuple[str, ...]
    within_s: float
    allow: tuple[str, ...]
    misbehaviour: bool = False
    count: int = 0


@dataclass(slots=True)
class Scenario:
    name: str
    homes: int
    days: float
    personas: list[PersonaName]
    connections: int | None
    incidents: list[dict[str, Any]] = field(default_factory=list)
    misbehaviour: list[dict[str, Any]] = field(default_factory=list)
    description: str = ""

    def plan(
        self, n_homes: int, start: float, seed: int, tz_offset_h: float = 8.0
    ) -> list[Planned]:
        rng = np.random.default_rng(seed + 7919)
        out: list[Planned] = []
        for entry, is_mis in [(e, False) for e in self.incidents] + [
            (e, True) for e in self.misbehaviour
        ]:
            kind = str(entry["type"])
            chosen = _homes(entry, n_homes, rng)
            times = entry.get("at", "+0s")
            for at in times if isinstance(times, list) else [times]:
                t = parse_at(str(at), start, tz_offset_h)
                for h in chosen:
                    out.append(_planned(kind, h, t, entry, is_mis))
        return sorted(out, key=lambda p: (p.t, p.home_index, p.kind))


def _planned(kind: str, home: int, t: float, entry: dict[str, Any], is_mis: bool) -> Planned:
    params = dict(entry.get("params") or {})
    if is_mis:
        expect_reason = MISBEHAVIOURS[kind].expect
        return Planned(
            kind, home, t, params, (expect_reason,), 0.0, (), True, int(entry.get("count", 10))
        )
    inc = INCIDENTS[kind]
    expect = tuple(entry.get("expect", inc.expect) or ())
    within = float(entry.get("within", inc.within_s))
    return Planned(kind, home, t, params, expect, within, inc.allow)


def _homes(entry: dict[str, Any], n: int, rng: np.random.Generator) -> list[int]:
    if "share" in entry:
        k = max(1, round(float(entry["share"]) * n))
        return sorted(int(i) for i in rng.choice(n, size=min(k, n), replace=False))
    homes = entry.get("homes", "all")
    if homes == "all":
        return list(range(n))
    picked = [int(h) - 1 for h in (homes if isinstance(homes, list) else [homes])]
    return [h for h in picked if 0 <= h < n]


def parse_at(text: str, start: float, tz_offset_h: float = 8.0) -> float:
    """ "+90s" / "+2h" after the start, or "d2 07:30" (day 2 of the run, local time)."""
    text = text.strip()
    m = _OFFSET.match(text)
    if m:
        return start + float(m.group(1)) * _UNIT[m.group(2)]
    m = _DAY_TIME.match(text)
    if not m:
        raise ValueError(f"cannot read time {text!r}: use '+90s', '+2h' or 'd1 07:30'")
    tz = tz_offset_h * 3600.0
    day0 = (start + tz) // 86400.0 * 86400.0 - tz
    day = int(m.group(1)) - 1
    return (
        day0
        + day * 86400.0
        + int(m.group(2)) * 3600.0
        + int(m.group(3)) * 60.0
        + int(m.group(4) or 0)
    )


def load(source: str | Path) -> Scenario:
    """A scenario by file path, or by name from firmware_sim/scenarios/."""
    path = Path(source)
    if not path.is_file():
        path = SCENARIO_DIR / f"{source}.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    personas = [PersonaName(p) for p in doc.get("personas", [p.value for p in PersonaName])]
    sc = Scenario(
        name=str(doc.get("name", path.stem)),
        homes=int(doc.get("homes", 5)),
        days=float(doc.get("days", 1)),
        personas=personas,
        connections=doc.get("connections"),
        incidents=list(doc.get("incidents") or []),
        misbehaviour=list(doc.get("misbehaviour") or []),
        description=str(doc.get("description", "")),
    )
    for entry in sc.incidents:
        if entry.get("type") not in INCIDENTS:
            raise ValueError(
                f"{path}: unknown incident {entry.get('type')!r}; known: {sorted(INCIDENTS)}"
            )
    for entry in sc.misbehaviour:
        if entry.get("type") not in MISBEHAVIOURS:
            raise ValueError(
                f"{path}: unknown misbehaviour {entry.get('type')!r}; "
                f"known: {sorted(MISBEHAVIOURS)}"
            )
    return sc


def available() -> list[str]:
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))
