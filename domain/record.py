"""A resident's profile and health record, as the source documents list it.

老年人基本信息和健康档案: household registration, family members, physical condition,
self-care ability, medication and language. Contacts are not kept here: the escalation engine
owns them (esc_contacts), in the order it calls them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class SelfCare(StrEnum):
    """Self-care ability (生活自理能力), the usual three grades."""

    INDEPENDENT = "independent"  # 能自理
    PARTLY = "partly"  # 部分自理
    DEPENDENT = "dependent"  # 不能自理
    UNKNOWN = "unknown"


class Household(StrEnum):
    """How the person lives (户籍 and household situation)."""

    ALONE = "alone"  # 独居
    WITH_SPOUSE = "with_spouse"  # 与配偶同住
    WITH_FAMILY = "with_family"  # 与子女同住
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class FamilyMember:
    name: str
    relation: str  # daughter, son, niece ... (free text, in the family's words)
    phone: str = ""
    lives_nearby: bool = False


@dataclass(frozen=True, slots=True)
class ResidentRecord:
    resident_id: str
    household: Household = Household.ALONE
    registration: str = ""  # 户籍: where the household is registered
    family: tuple[FamilyMember, ...] = ()
    conditions: tuple[str, ...] = ()  # diagnoses, in plain words
    self_care: SelfCare = SelfCare.UNKNOWN
    medication: tuple[str, ...] = ()  # name and dose, one per entry
    language: str = "zh-CN"  # spoken language(s), e.g. "zh-CN", "dai"
    benefits: tuple[str, ...] = ()  # 低保, 特困, 高龄补贴 ...
    updated_ms: int = 0
    updated_by: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def empty_record(resident_id: str) -> ResidentRecord:
    """What a resident without a record yet shows: nothing assumed."""
    return ResidentRecord(resident_id, household=Household.OTHER)
