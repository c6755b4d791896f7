"""Who may see and do what: roles, the signed-in principal and the homes it may see.

Pure rules, no I/O. Routes turn a principal into a `HomeScope` and use it to FILTER their
queries (never load everything and drop rows afterwards); `can_*` answer single questions.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    OPERATOR = "operator"  # one or more communities (call centre)
    FAMILY = "family"  # one or more residents
    INTEGRATOR = "integrator"  # devices of their own models; no personal data


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: str
    username: str
    display_name: str
    role: Role
    language: str = "zh-CN"
    communities: frozenset[str] = frozenset()  # operator: the communities they watch
    residents: frozenset[str] = frozenset()  # family: their relatives (resident ids)
    homes: frozenset[str] = frozenset()  # family: the homes of those residents
    models: frozenset[str] = frozenset()  # integrator: device model ids they own

    @property
    def actor(self) -> str:
        """How the principal appears in alarm histories."""
        return f"user:{self.username}"


@dataclass(frozen=True, slots=True)
class HomeScope:
    """The homes a principal may see: all, those of some communities, or some homes."""

    all: bool = False
    communities: frozenset[str] = frozenset()
    homes: frozenset[str] = frozenset()

    def allows(self, home_id: str, community_id: str | None) -> bool:
        if self.all:
            return True
        if home_id in self.homes:
            return True
        return community_id is not None and community_id in self.communities

    @property
    def empty(self) -> bool:
        return not self.all and not self.communities and not self.homes


NOTHING = HomeScope()


def home_scope(p: Principal) -> HomeScope:
    if p.role is Role.ADMIN:
        return HomeScope(all=True)
    if p.role is Role.OPERATOR:
        return HomeScope(communities=p.communities)
    if p.role is Role.FAMILY:
        return HomeScope(homes=p.homes)
    return NOTHING


def can_see_home(p: Principal, home_id: str, community_id: str | None) -> bool:
    return home_scope(p).allows(home_id, community_id)


def can_act_on_alarm(p: Principal, home_id: str, community_id: str | None) -> bool:
    """Accept, resolve, call...: the admin, an operator of the home's community, its family."""
    if p.role not in (Role.ADMIN, Role.OPERATOR, Role.FAMILY):
        return False
    return can_see_home(p, home_id, community_id)


def can_see_model(p: Principal, model: str) -> bool:
    """Device models: the admin sees all, an integrator only their own."""
    if p.role is Role.ADMIN:
        return True
    return p.role is Role.INTEGRATOR and model in p.models


def sees_personal_data(p: Principal) -> bool:
    """Integrators never see names, addresses, health or alarms of people."""
    return p.role is not Role.INTEGRATOR
