"""The verdicts of a conformance check and how they are printed (text for people, JSON for CI)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    NOT_COVERED = "NOT COVERED"


@dataclass(frozen=True, slots=True)
class Check:
    """One thing checked about a capability, with what was seen."""

    what: str
    verdict: Verdict
    detail: str


@dataclass
class Outcome:
    """A capability of the model (or `samples`, `rejects`, `supervision`) and its checks."""

    name: str
    type: str
    care: str = ""
    checks: list[Check] = field(default_factory=list)

    def add(self, what: str, verdict: Verdict, detail: str) -> None:
        self.checks.append(Check(what, verdict, detail))

    @property
    def verdict(self) -> Verdict:
        kinds = {c.verdict for c in self.checks}
        if Verdict.FAIL in kinds:
            return Verdict.FAIL
        if not kinds or Verdict.NOT_COVERED in kinds:
            return Verdict.NOT_COVERED
        return Verdict.PASS

    @property
    def reason(self) -> str:
        if not self.checks:
            return "no sample exercises it: add one to the samples folder"
        worst = self.verdict
        return "; ".join(c.detail for c in self.checks if c.verdict is worst)


@dataclass
class Report:
    model_file: str
    samples_dir: str
    model_id: str = ""
    title: str = ""
    error: str | None = None  # the model file or the samples could not be used at all
    outcomes: list[Outcome] = field(default_factory=list)
    broker: str = ""
    seconds: float = 0.0

    @property
    def verdict(self) -> Verdict:
        if self.error is not None or not self.outcomes:
            return Verdict.FAIL
        if all(o.verdict is Verdict.PASS for o in self.outcomes):
            return Verdict.PASS
        return Verdict.FAIL

    @property
    def exit_code(self) -> int:
        if self.error is not None:
            return 2
        return 0 if self.verdict is Verdict.PASS else 1

    def outcome(self, name: str) -> Outcome | None:
        return next((o for o in self.outcomes if o.name == name), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "model_file": self.model_file,
            "samples_dir": self.samples_dir,
            "model": self.model_id,
            "title": self.title,
            "verdict": self.verdict.value,
            "error": self.error,
            "broker": self.broker,
            "seconds": round(self.seconds, 3),
            "capabilities": [
                {
                    "name": o.name,
                    "type": o.type,
                    "care": o.care,
                    "verdict": o.verdict.value,
                    "reason": o.reason,
                    "checks": [
                        {"what": c.what, "verdict": c.verdict.value, "detail": c.detail}
                        for c in o.checks
                    ],
                }
                for o in self.outcomes
            ],
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False)

    def to_text(self) -> str:
        head = f"anju device check: {self.model_id or self.model_file}"
        lines = [head + (f" ({self.title})" if self.title else "")]
        lines.append(f"  model file: {self.model_file}")
        lines.append(f"  samples:    {self.samples_dir}")
        if self.broker:
            lines.append(f"  ran on:     {self.broker}")
        if self.error is not None:
            lines.append(f"error: {self.error}")
        width = max((len(o.name) for o in self.outcomes), default=0)
        for o in self.outcomes:
            lines.append(f"{o.verdict.value:<12} {o.name:<{width}}  [{o.type}]")
            for c in o.checks:
                lines.append(f"    {c.verdict.value:<12} {c.what}: {c.detail}")
            if not o.checks:
                lines.append(f"    {o.reason}")
        counts = {v: sum(o.verdict is v for o in self.outcomes) for v in Verdict}
        summary = ", ".join(f"{n} {v.value}" for v, n in counts.items() if n)
        summary = summary or "nothing checked"
        lines.append(f"overall: {self.verdict.value} ({summary}) in {self.seconds:.1f} s")
        return "\n".join(lines)
