"""Demo data for the operator board: a health record per demo resident and this month's
check-ins for about half of them (so the due list and the coverage rate have something to show).
Everything is marked as demo data (updated_by / actor "demo"); existing records are kept."""

from __future__ import annotations

import uuid

from domain.checkins import Checkin, CheckinKind, CheckinResult, with_month
from domain.model import Home, Resident
from domain.record import FamilyMember, Household, ResidentRecord, SelfCare
from stores.state.records import BoardStore

CONDITIONS = (("高血压",), ("2 型糖尿病", "白内障"), ("轻度认知障碍",), ("骨质疏松",))
MEDICATION = (("氨氯地平 5mg 每日一次",), ("二甲双胍 0.5g 每日两次",), (), ("钙片 每日一次",))
PHONE = "139 0000 0000"  # made up; the record API accepts digits, + ( ) - and spaces
SELF_CARE = (SelfCare.INDEPENDENT, SelfCare.PARTLY, SelfCare.PARTLY, SelfCare.DEPENDENT)


def seed_board(board: BoardStore, homes: list[Home], residents: list[Resident], now_ms: int) -> int:
    """Returns how many records were written."""
    made = 0
    per_home: dict[str, int] = {}
    for r in residents:
        per_home[r.home_id] = per_home.get(r.home_id, 0) + 1
    community = {h.home_id: h for h in homes}
    for i, r in enumerate(residents):
        if board.get_record(r.resident_id) is None:
            board.save_record(
                ResidentRecord(
                    r.resident_id,
                    household=Household.ALONE
                    if per_home[r.home_id] == 1
                    else Household.WITH_SPOUSE,
                    registration="云南省西双版纳州景洪市",
                    family=(FamilyMember(f"{r.name}的女儿", "女儿", PHONE, i % 2 == 0),),
                    conditions=CONDITIONS[i % 4],
                    self_care=SELF_CARE[i % 4],
                    medication=MEDICATION[i % 4],
                    language=r.language,
                    updated_ms=now_ms,
                    updated_by="demo",
                )
            )
            made += 1
        home = community.get(r.home_id)
        if home is not None and i % 2 == 0 and not board.checkins_of(r.resident_id, limit=1):
            kind = CheckinKind.CALL if i % 4 == 0 else CheckinKind.VISIT
            board.add_checkin(
                with_month(
                    Checkin(uuid.uuid4().hex, r.resident_id, r.home_id, home.community_id, kind,
                            now_ms, "demo", CheckinResult.WELL, "demo"),
                    home.timezone,
                )
            )  # fmt: skip
    return made
