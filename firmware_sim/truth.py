"""Ground truth of a run: what happened where and when, and what Anju should have said."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class TruthItem:
    id: str
    kind: str
    home_id: str
    t_ms: int  # true time of the incident (simulated time, ms since the epoch)
    expect: list[str]  # alarm types, any of which counts; empty: no alarm should follow
    within_s: float
    allow: list[str]
    misbehaviour: bool = False
    count: int = 0  # misbehaviour: messages sent
    note: str = ""  # e.g. the SisFall trial of a fall, "pendant not worn"


@dataclass(slots=True)
class Truth:
    scenario: str
    seed: int
    homes: list[str]
    start_ms: int
    end_ms: int
    speed: float | None
    items: list[TruthItem] = field(default_factory=list)
    sisfall: bool = False

    @property
    def home_days(self) -> float:
        return len(self.homes) * (self.end_ms - self.start_ms) / 86_400_000

    def save(self, path: Path) -> None:
        doc: dict[str, Any] = asdict(self)
        path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Truth:
        doc = json.loads(path.read_text(encoding="utf-8"))
        items = [TruthItem(**i) for i in doc.pop("items")]
        return cls(**doc, items=items)
