"""`/api/homes`, `/api/residents`: homes at a glance (scoped, searched, filtered and paged in SQL),
one home in full (residents and records, contacts in order, devices, earlier alarms), its last
hours room by room, its readings history; every read of personal data goes to the audit log."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, HTTPException, Path, Query

from domain.access import Role
from domain.alarms import Severity
from domain.calls import Location, dispatch_location, is_out
from domain.clock import now_ms
from domain.model import Home, Resident
from domain.record import empty_record
from domain.tiles import Tile
from domain.timeline import timeline
from stores.state.homes_query import HomeRow
from stores.state.records import RecordConflictError, record_from, record_json
from web.auth.audit_after import read_after
from web.deps import Audit, Ctx, CurrentUser
from web.errors import MAX_SAFE
from web.routes.board_data import (
    BoardParts,
    Parts,
    contacts_in_order,
    device_health,
    need_timeseries,
    scope_of,
    visible_home,
)
from web.routes.board_models import (
    ActivityOut,
    AlarmBrief,
    AwayBody,
    CheckinOut,
    ContactOut,
    DeviceOut,
    HomeDetail,
    HomesPage,
    HomeTile,
    LaneOut,
    LocationOut,
    ReadingOut,
    ReadingsPage,
    RecordBody,
    RecordOut,
    ResidentBrief,
    ResidentDetail,
    ResidentOut,
)

router = APIRouter(tags=["homes"])

Id = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.:-]{1,100}$")]


def map_url(lat: float | None, lon: float | None) -> str | None:
    """OpenStreetMap at the point (works without an API key; amap needs one)."""
    if lat is None or lon is None:
        return None
    return (
        f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}#map=18/{lat:.6f}/{lon:.6f}"
    )


def location_out(loc: Location, out: bool) -> LocationOut:
    return LocationOut(
        source=loc.source, address=loc.address, lat=loc.lat, lon=loc.lon, at_ms=loc.at_ms,
        out=out, map_url=map_url(loc.lat, loc.lon),
    )  # fmt: skip


def tile_out(row: HomeRow) -> HomeTile:
    return HomeTile(
        home_id=row.home_id, community_id=row.community_id, address=row.address, lat=row.lat,
        lon=row.lon, tile=row.tile, last_activity_ms=row.last_activity_ms,
        away_until_ms=row.away_until_ms,
        residents=[ResidentBrief(resident_id=i, name=n) for i, n in row.residents],
    )  # fmt: skip


def resident_out(parts: BoardParts, r: Resident, now_s: float) -> ResidentOut:
    record = parts.board.get_record(r.resident_id) or empty_record(r.resident_id)
    year = datetime.fromtimestamp(now_s, UTC).year
    return ResidentOut(
        resident_id=r.resident_id, home_id=r.home_id, name=r.name, birth_year=r.birth_year,
        age=None if r.birth_year is None else year - r.birth_year, language=r.language,
        phone=r.phone, notes=r.notes, risk=list(r.risk),
        record=RecordOut(resident_id=r.resident_id, updated_ms=record.updated_ms,
                         updated_by=record.updated_by, **record_json(record)),
    )  # fmt: skip


def checkins_out(parts: BoardParts, residents: list[Resident]) -> list[CheckinOut]:
    out = [
        CheckinOut(**{k: v for k, v in asdict(c).items() if k in CheckinOut.model_fields})
        for r in residents
        for c in parts.board.checkins_of(r.resident_id, limit=6)
    ]
    return sorted(out, key=lambda c: -c.at_ms)


@router.get("/api/homes", response_model=HomesPage)
def list_homes(
    *,
    ctx: Ctx,
    parts: Parts,
    user: CurrentUser,
    audit: Audit,
    tasks: BackgroundTasks,
    q: Annotated[str, Query(max_length=100, description="name, address or id")] = "",
    tile: Annotated[Tile | None, Query(description="only homes with this status tile")] = None,
    community: Annotated[str | None, Query(max_length=100)] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> HomesPage:
    now = now_ms(ctx.alarms.clock)
    total, rows, counts = parts.homes.page(
        scope_of(user), now, q=q.strip(), tile=tile, community=community, offset=offset,
        limit=limit,
    )  # fmt: skip
    read_after(tasks, audit, user, "home", [r.home_id for r in rows], detail=f"list q={q!r}")
    return HomesPage(
        total=total, offset=offset, limit=limit, counts=counts, homes=[tile_out(r) for r in rows]
    )


@router.get("/api/homes/{home_id}", response_model=HomeDetail)
def get_home(*, ctx: Ctx, parts: Parts, user: CurrentUser, audit: Audit, home_id: Id) -> HomeDetail:
    home = visible_home(parts, user, home_id)
    now_s = ctx.alarms.clock.now()
    now = int(now_s * 1000)
    residents = parts.state.list_residents(home_id)
    devices = parts.state.list_devices(home_id)
    alarms = parts.homes.alarms_of(home_id, limit=20)
    faults: dict[str, list[str]] = {}
    for a in parts.state.list_alarms(open_only=True, limit=2000):
        if a.home_id == home_id and a.severity is Severity.TECHNICAL and a.device_id:
            faults.setdefault(a.device_id, []).append(a.type)
    seen, fix = device_health(parts.timeseries, home_id, devices, now)
    out = fix is not None and is_out(home.lat, home.lon, fix)
    last, away_until, away_note = parts.board.presence(home_id)
    detail = HomeDetail(
        home_id=home.home_id, community_id=home.community_id, address=home.address,
        lat=home.lat, lon=home.lon, timezone=home.timezone, map_url=map_url(home.lat, home.lon),
        tile=parts.homes.home_tile(home_id, now) or Tile.FINE,
        last_activity_ms=last, away_until_ms=away_until, away_note=away_note,
        location=location_out(dispatch_location(home.address, home.lat, home.lon, fix, out), out),
        residents=[resident_out(parts, r, now_s) for r in residents],
        contacts=[ContactOut(**c) for c in contacts_in_order(parts, home, residents, now_s)],
        devices=[
            DeviceOut(
                device_id=d.device_id, kind=d.kind.value, model=d.model,
                room=None if d.room is None else d.room.value, enabled=d.enabled,
                last_seen_ms=seen[d.device_id][0], battery=seen[d.device_id][1],
                faults=faults.get(d.device_id, []),
            )
            for d in devices
        ],
        alarms=[AlarmBrief(**a) for a in alarms],
        checkins=checkins_out(parts, residents),
    )  # fmt: skip
    audit.read(
        user, "home", [home_id], detail="residents=" + ",".join(r.resident_id for r in residents)
    )
    return detail


@router.post("/api/homes/{home_id}/away", response_model=HomeTile)
def set_away(
    *, ctx: Ctx, parts: Parts, user: CurrentUser, audit: Audit, home_id: Id, body: AwayBody
) -> HomeTile:
    """Mark the resident away (hospital, holiday) until a time, or back home (null)."""
    home = visible_home(parts, user, home_id)
    now = now_ms(ctx.alarms.clock)
    if body.until_ms is not None and body.until_ms <= now:
        raise HTTPException(400, "until_ms must be in the future (null means back home)")
    parts.board.set_away(home.home_id, body.until_ms, body.note, now)
    audit.write(user, "home", [home_id], detail=f"away until {body.until_ms}")
    _, rows, _ = parts.homes.page(scope_of(user), now, q=home_id, limit=500)
    return tile_out(next(r for r in rows if r.home_id == home_id))


@router.get("/api/homes/{home_id}/activity", response_model=ActivityOut)
def activity(
    *,
    ctx: Ctx,
    parts: Parts,
    user: CurrentUser,
    audit: Audit,
    home_id: Id,
    hours: Annotated[float, Query(gt=0, le=72, description="the last N hours")] = 12,
) -> ActivityOut:
    visible_home(parts, user, home_id)
    ts = need_timeseries(parts)
    end = now_ms(ctx.alarms.clock)
    end += 60_000 - end % 60_000  # whole minutes: buckets line up between refreshes
    start = end - int(hours * 3_600_000)
    devices = {d.device_id: d for d in parts.state.list_devices(home_id)}
    line = timeline(ts.query(home_id, start, end, measurement="event"), devices, start, end)
    audit.read(user, "readings", [home_id], detail=f"activity {hours} h")
    return ActivityOut(
        home_id=home_id, start_ms=line.start_ms, end_ms=line.end_ms, bucket_ms=line.bucket_ms,
        last_activity_ms=line.last_activity_ms,
        lanes=[LaneOut(room=x.room, kind=x.kind, counts=list(x.counts)) for x in line.lanes],
    )  # fmt: skip


@router.get("/api/homes/{home_id}/readings", response_model=ReadingsPage)
def readings(
    *,
    ctx: Ctx,
    parts: Parts,
    user: CurrentUser,
    audit: Audit,
    home_id: Id,
    device_id: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_.:-]{1,100}$")] = None,
    measurement: Annotated[str | None, Query(pattern="^(reading|status|event)$")] = None,
    start_ms: Annotated[int | None, Query(ge=0, le=MAX_SAFE)] = None,
    end_ms: Annotated[int | None, Query(ge=0, le=MAX_SAFE)] = None,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> ReadingsPage:
    """Oldest first within [start_ms, end_ms) (default: the last 24 h)."""
    visible_home(parts, user, home_id)
    ts = need_timeseries(parts)
    end = end_ms if end_ms is not None else now_ms(ctx.alarms.clock) + 1
    start = start_ms if start_ms is not None else end - 24 * 3_600_000
    if start >= end:
        raise HTTPException(400, "start_ms must be before end_ms")
    points = ts.query(
        home_id, start, end, device_id=device_id, measurement=measurement,
        limit=offset + limit + 1,
    )  # fmt: skip
    page = points[offset : offset + limit]
    audit.read(user, "readings", [home_id], detail=f"{len(page)} points from {start}")
    return ReadingsPage(
        home_id=home_id, offset=offset, limit=limit, more=len(points) > offset + limit,
        readings=[
            ReadingOut(ts_ms=p.ts_ms, device_id=p.device_id, seq=p.seq,
                       measurement=p.measurement, fields=dict(p.fields))
            for p in page
        ],
    )  # fmt: skip


def _resident(parts: BoardParts, user: CurrentUser, resident_id: str) -> tuple[Resident, Home]:
    resident = parts.state.get_resident(resident_id)
    if resident is None:
        raise HTTPException(404, f"no resident {resident_id}")
    try:
        return resident, visible_home(parts, user, resident.home_id)
    except HTTPException:
        raise HTTPException(404, f"no resident {resident_id}") from None


@router.get("/api/residents/{resident_id}", response_model=ResidentDetail)
def get_resident(
    *, ctx: Ctx, parts: Parts, user: CurrentUser, audit: Audit, resident_id: Id
) -> ResidentDetail:
    resident, home = _resident(parts, user, resident_id)
    now_s = ctx.alarms.clock.now()
    residents = parts.state.list_residents(home.home_id)
    _, rows, _ = parts.homes.page(scope_of(user), int(now_s * 1000), q=home.home_id, limit=500)
    detail = ResidentDetail(
        resident=resident_out(parts, resident, now_s),
        home=tile_out(next(r for r in rows if r.home_id == home.home_id)),
        contacts=[ContactOut(**c) for c in contacts_in_order(parts, home, residents, now_s)],
        checkins=checkins_out(parts, [resident]),
    )
    audit.read(user, "resident", [resident_id])
    return detail


@router.put("/api/residents/{resident_id}/record", response_model=RecordOut)
def put_record(
    *, ctx: Ctx, parts: Parts, user: CurrentUser, audit: Audit, resident_id: Id, body: RecordBody
) -> RecordOut:
    """Replace the health record (operators of the community, admins)."""
    if user.role not in (Role.ADMIN, Role.OPERATOR):
        raise HTTPException(403, "only operators and admins write health records")
    _resident(parts, user, resident_id)
    now = now_ms(ctx.alarms.clock)
    if body.based_on_ms is not None:  # a new version is never stamped like the one it replaces
        now = max(now, body.based_on_ms + 1)
    record = record_from(
        resident_id, body.model_dump(mode="json", exclude={"based_on_ms"}), now, user.actor
    )
    try:
        parts.board.save_record(record, based_on_ms=body.based_on_ms)
    except RecordConflictError as exc:
        raise HTTPException(
            409,
            f"the record was changed at {exc.updated_ms} by {exc.updated_by or 'someone'} since "
            "this edit began: reload it and edit again",
        ) from exc
    audit.write(user, "resident", [resident_id], detail="record")
    return RecordOut(resident_id=resident_id, updated_ms=now, updated_by=user.actor,
                     **record_json(record))  # fmt: skip
