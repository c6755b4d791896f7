"""Typed bodies of the board's API (homes, residents, check-ins, alarm actions): the OpenAPI
document lists every field."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from domain.calls import Callee, CallResult, LocationSource
from domain.checkins import CheckinKind, CheckinResult
from domain.record import Household, SelfCare
from domain.tiles import Tile
from web.errors import MAX_SAFE


class ResidentBrief(BaseModel):
    resident_id: str
    name: str


class HomeTile(BaseModel):
    home_id: str
    community_id: str
    address: str
    lat: float | None
    lon: float | None
    tile: Tile
    last_activity_ms: int | None
    away_until_ms: int | None
    residents: list[ResidentBrief]


class HomesPage(BaseModel):
    total: int = Field(description="homes matching the search and filters")
    offset: int
    limit: int
    counts: dict[str, int] = Field(description="homes per tile (search and community applied)")
    homes: list[HomeTile]


class FamilyMemberBody(BaseModel):
    model_config = {"extra": "forbid"}
    name: str = Field(min_length=1, max_length=100)
    relation: str = Field("", max_length=50)
    phone: str = Field("", max_length=40, pattern=r"^[0-9+() -]*$")
    lives_nearby: bool = False


class RecordBody(BaseModel):
    """The health record (老年人健康档案) as it is written."""

    model_config = {"extra": "forbid"}
    household: Household = Household.OTHER
    registration: str = Field("", max_length=200)
    family: list[FamilyMemberBody] = Field(default_factory=list, max_length=20)
    conditions: list[str] = Field(default_factory=list, max_length=30)
    self_care: SelfCare = SelfCare.UNKNOWN
    medication: list[str] = Field(default_factory=list, max_length=30)
    language: str = Field("zh-CN", min_length=2, max_length=20)
    benefits: list[str] = Field(default_factory=list, max_length=20)
    extra: dict[str, str] = Field(default_factory=dict, max_length=20)
    based_on_ms: int | None = Field(
        None,
        ge=0,
        le=MAX_SAFE,
        description="updated_ms of the record this edit started from (0: none stored yet); if "
        "the record changed since, the write is refused with 409. Without it the last write wins.",
    )


class FamilyMemberOut(BaseModel):
    name: str
    relation: str
    phone: str
    lives_nearby: bool


class RecordOut(BaseModel):
    """The health record as it is stored. Writes are checked (RecordBody); a read shows what is
    there without the write rules, so a record kept before a rule (or seeded by an older demo,
    e.g. phone "+86-demo") never makes a home or resident unreadable."""

    resident_id: str
    household: Household
    registration: str
    family: list[FamilyMemberOut]
    conditions: list[str]
    self_care: SelfCare
    medication: list[str]
    language: str
    benefits: list[str]
    extra: dict[str, str]
    updated_ms: int
    updated_by: str


class ResidentOut(BaseModel):
    resident_id: str
    home_id: str
    name: str
    birth_year: int | None
    age: int | None
    language: str
    phone: str
    notes: str
    risk: list[str]
    record: RecordOut


class ContactOut(BaseModel):
    contact_id: str
    name: str
    role: str
    stage: str = Field(description="the escalation stage that reaches this contact")
    after_s: float | None = Field(description="seconds after the alarm that stage starts")
    language: str
    addresses: dict[str, str]


class DeviceOut(BaseModel):
    device_id: str
    kind: str
    model: str
    room: str | None
    enabled: bool
    last_seen_ms: int | None = Field(description="newest message of the last 26 h, else null")
    battery: float | None
    faults: list[str] = Field(description="open technical alarms of this device")


class AlarmBrief(BaseModel):
    alarm_id: str
    type: str
    severity: str
    state: str
    raised_ms: int
    updated_ms: int


class LocationOut(BaseModel):
    source: LocationSource
    address: str
    lat: float | None
    lon: float | None
    at_ms: int | None
    out: bool = Field(description="the pendant's fix is away from home")
    map_url: str | None


class CheckinOut(BaseModel):
    checkin_id: str
    resident_id: str
    kind: CheckinKind
    result: CheckinResult
    at_ms: int
    month: str
    actor: str
    note: str


class HomeDetail(BaseModel):
    home_id: str
    community_id: str
    address: str
    lat: float | None
    lon: float | None
    timezone: str
    map_url: str | None
    tile: Tile
    last_activity_ms: int | None
    away_until_ms: int | None
    away_note: str
    location: LocationOut
    residents: list[ResidentOut]
    contacts: list[ContactOut]
    devices: list[DeviceOut]
    alarms: list[AlarmBrief]
    checkins: list[CheckinOut]


class LaneOut(BaseModel):
    room: str
    kind: str
    counts: list[int]


class ActivityOut(BaseModel):
    home_id: str
    start_ms: int
    end_ms: int
    bucket_ms: int
    last_activity_ms: int | None
    lanes: list[LaneOut]


class ReadingOut(BaseModel):
    ts_ms: int
    device_id: str
    seq: int
    measurement: str
    fields: dict[str, Any]


class ReadingsPage(BaseModel):
    home_id: str
    offset: int
    limit: int
    more: bool
    readings: list[ReadingOut]


class ResidentDetail(BaseModel):
    resident: ResidentOut
    home: HomeTile
    contacts: list[ContactOut]
    checkins: list[CheckinOut]


class AwayBody(BaseModel):
    model_config = {"extra": "forbid"}
    until_ms: int | None = Field(
        le=MAX_SAFE, description="away until then (ms since epoch); null: back home"
    )
    note: str = Field("", max_length=500)


class CheckinBody(BaseModel):
    model_config = {"extra": "forbid"}
    resident_id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")
    kind: CheckinKind
    result: CheckinResult = CheckinResult.WELL
    note: str = Field("", max_length=1000)
    at_ms: int | None = Field(None, ge=946_684_800_000, le=MAX_SAFE, description="default: now")


class DueOut(BaseModel):
    resident_id: str
    name: str
    home_id: str
    community_id: str
    address: str
    phone: str
    last_ms: int | None


class DuePage(BaseModel):
    month: str
    total: int
    offset: int
    limit: int
    due: list[DueOut]


class CoverageOut(BaseModel):
    community_id: str
    month: str
    residents: int
    covered: int
    rate: float | None
    target: float
    meets_target: bool | None


class CoverageReport(BaseModel):
    month: str
    communities: list[CoverageOut]
    all: CoverageOut


class CallBody(BaseModel):
    model_config = {"extra": "forbid"}
    callee: Callee
    callee_name: str = Field("", max_length=100)
    number: str = Field("", max_length=40, pattern=r"^[0-9+() -]*$")
    result: CallResult
    note: str = Field("", max_length=1000)


class CallOut(BaseModel):
    entry_id: str
    alarm_id: str
    at_ms: int
    caller: str
    callee: Callee
    callee_name: str
    number: str
    result: CallResult
    note: str


class DispatchBody(BaseModel):
    model_config = {"extra": "forbid"}
    service: str = Field("120", pattern=r"^(120|110|119)$")
    note: str = Field("", max_length=1000)


class DispatchOut(BaseModel):
    dispatch_id: str
    alarm_id: str
    at_ms: int
    actor: str
    service: str
    location: LocationOut
    note: str


class ActionsOut(BaseModel):
    alarm_id: str
    calls: list[CallOut]
    dispatches: list[DispatchOut]
