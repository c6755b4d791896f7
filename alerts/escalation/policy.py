"""Escalation policies: ordered stages with recipients and timeouts, per community and risk.

A community has one policy per severity; a resident's risk flags (lives_alone, dementia, 80plus)
may select an override (e.g. call the centre at once for a resident with dementia). Policies are
plain data, kept as JSON in the state store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from itertools import pairwise
from typing import Any

from domain.alarms import Severity
from domain.model import Resident


class Role(StrEnum):
    FAMILY = "family"
    CALL_CENTRE = "call_centre"
    SUPERVISOR = "supervisor"
    EMERGENCY = "emergency"  # 120, with the exact location
    OPERATOR = "operator"  # technical alarms only go here


# the order in which risk overrides are looked for: the most demanding first
RISK_ORDER = ("dementia", "80plus", "lives_alone")


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    after_s: float  # since the escalation started
    roles: tuple[Role, ...]
    renotify_s: float | None = None  # re-notify this stage's recipients until accepted
    max_rounds: int = 5


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    stages: tuple[Stage, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "stages": [
                {
                    "name": s.name,
                    "after_s": s.after_s,
                    "roles": [r.value for r in s.roles],
                    "renotify_s": s.renotify_s,
                    "max_rounds": s.max_rounds,
                }
                for s in self.stages
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Policy:
        stages = tuple(
            Stage(
                name=str(s["name"]),
                after_s=float(s["after_s"]),
                roles=tuple(Role(r) for r in s["roles"]),
                renotify_s=None if s.get("renotify_s") is None else float(s["renotify_s"]),
                max_rounds=int(s.get("max_rounds", 5)),
            )
            for s in data["stages"]
        )
        if any(b.after_s < a.after_s for a, b in pairwise(stages)):
            raise ValueError(f"policy {data['name']}: stages must be in time order")
        return cls(str(data["name"]), stages)


def critical(emergency_after_s: float = 300.0) -> Policy:
    return Policy(
        "critical",
        (
            Stage("family_and_centre", 0, (Role.FAMILY, Role.CALL_CENTRE), renotify_s=120),
            Stage("supervisor", 60, (Role.SUPERVISOR,), renotify_s=120),
            Stage("emergency", emergency_after_s, (Role.EMERGENCY,)),
        ),
    )


DEFAULT_POLICIES: dict[Severity, Policy] = {
    Severity.CRITICAL: critical(),
    Severity.MAJOR: Policy(
        "major",
        (
            Stage("family", 0, (Role.FAMILY,), renotify_s=300),
            Stage("call_centre", 600, (Role.CALL_CENTRE,), renotify_s=300),
        ),
    ),
    Severity.MINOR: Policy("minor", (Stage("family", 0, (Role.FAMILY,)),)),
    Severity.TECHNICAL: Policy("technical", (Stage("operators", 0, (Role.OPERATOR,)),)),
}

DEFAULT_OVERRIDES: dict[tuple[str, Severity], Policy] = {
    # dementia: wandering and silences go to the centre at once, not after 10 minutes
    ("dementia", Severity.MAJOR): Policy(
        "major_dementia",
        (
            Stage("family_and_centre", 0, (Role.FAMILY, Role.CALL_CENTRE), renotify_s=180),
            Stage("supervisor", 600, (Role.SUPERVISOR,)),
        ),
    ),
    # living alone and 80+: nobody else is there to help, 120 sooner
    ("80plus", Severity.CRITICAL): Policy("critical_80plus", critical(180.0).stages),
    ("lives_alone", Severity.CRITICAL): Policy("critical_alone", critical(240.0).stages),
}


@dataclass(slots=True)
class PolicyBook:
    """The policies of one community."""

    community_id: str
    policies: dict[Severity, Policy] = field(default_factory=lambda: dict(DEFAULT_POLICIES))
    overrides: dict[tuple[str, Severity], Policy] = field(
        default_factory=lambda: dict(DEFAULT_OVERRIDES)
    )

    def choose(self, severity: Severity, risks: Iterable[str] = ()) -> Policy:
        flags = set(risks)
        for risk in RISK_ORDER:
            if risk in flags and (risk, severity) in self.overrides:
                policy = self.overrides[(risk, severity)]
                break
        else:
            policy = self.policies.get(severity, DEFAULT_POLICIES[severity])
        if severity is Severity.TECHNICAL:  # device faults never reach families
            stages = tuple(
                Stage(s.name, s.after_s, (Role.OPERATOR,), s.renotify_s, s.max_rounds)
                for s in policy.stages
            )
            return Policy(policy.name, stages)
        return policy

    def to_json(self) -> dict[str, Any]:
        return {
            "community_id": self.community_id,
            "policies": {s.value: p.to_json() for s, p in self.policies.items()},
            "overrides": [
                {"risk": r, "severity": s.value, "policy": p.to_json()}
                for (r, s), p in self.overrides.items()
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PolicyBook:
        return cls(
            str(data["community_id"]),
            {Severity(s): Policy.from_json(p) for s, p in data.get("policies", {}).items()},
            {
                (str(o["risk"]), Severity(o["severity"])): Policy.from_json(o["policy"])
                for o in data.get("overrides", [])
            },
        )


def risks_of(residents: Iterable[Resident], now_s: float) -> set[str]:
    """Risk flags of a home: the residents' own flags, 80plus from the birth year."""
    year = datetime.fromtimestamp(now_s, UTC).year
    flags: set[str] = set()
    residents = list(residents)
    for r in residents:
        flags.update(r.risk)
        if r.birth_year is not None and year - r.birth_year >= 80:
            flags.add("80plus")
    if len(residents) == 1:
        flags.add("lives_alone")
    return flags
