"""`/api/family/preferences`: how a family member is reached, and who is told in which order.

A family member's notification preferences ARE their own entry in the escalation engine's
contacts (esc_contacts): one entry per relative's home, scope = that home, role family, id
`u-<user id>-<home id>`. They edit only that entry; the rest of the order (other family, the
call centre, the supervisor, 120) is shown by name and role, never with others' addresses.
The engine caches a home's contacts for a minute, so a change applies to alarms after that.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field

from alerts.escalation.contacts import Contact
from alerts.escalation.policy import PolicyBook, risks_of
from alerts.escalation.policy import Role as ContactRole
from domain.access import Principal, Role
from domain.alarms import Alarm, AlarmState, Severity, accepted_by
from domain.ports import TimeSeriesStore
from domain.preferences import CHANNELS, PreferenceError, parse
from stores.state.escalation import EscalationStore
from web.app import WebContext
from web.deps import Audit, Ctx, require_roles

router = APIRouter(prefix="/api/family", tags=["family"])

FamilyUser = Annotated[Principal, Depends(require_roles(Role.FAMILY))]


class QuietHours(BaseModel):
    model_config = {"extra": "forbid"}
    start: str = Field(pattern=r"^\d{2}:\d{2}$", description="local time HH:MM")
    end: str = Field(pattern=r"^\d{2}:\d{2}$", description="local time HH:MM")


class FamilyPreferencesIn(BaseModel):
    model_config = {"extra": "forbid"}
    name: str = Field(min_length=1, max_length=60, description="how others see you in the order")
    language: str = Field("zh-CN", description="zh-CN or en: messages and pages")
    addresses: dict[str, str] = Field(description="channel (sms, voice, email, webhook) -> address")
    preferred: list[str] = Field([], max_length=4, description="non-critical notices only")
    quiet: QuietHours | None = Field(None, description="no non-critical notices in this window")


class OrderPerson(BaseModel):
    name: str
    role: str
    you: bool


class OrderStep(BaseModel):
    stage: str
    after_s: float
    roles: list[str]
    people: list[OrderPerson]


class NotifyOrder(BaseModel):
    resident_id: str
    resident_name: str
    steps: list[OrderStep]


class FamilyPreferencesOut(BaseModel):
    name: str
    language: str
    addresses: dict[str, str]
    preferred: list[str]
    quiet: QuietHours | None
    channels: list[str]
    order: list[NotifyOrder]


def timeseries(request: Request) -> TimeSeriesStore | None:
    """The time-series store the composition root put on the app (None in bare test apps)."""
    found: TimeSeriesStore | None = getattr(request.app.state, "timeseries", None)
    return found


def contacts_store(request: Request) -> EscalationStore:
    """The escalation engine's contacts: the running engine's store, else one made once per app
    over the state store's database (same tables)."""
    esc = getattr(request.app.state, "escalation", None)
    if esc is not None:
        running: EscalationStore = esc.store
        return running
    found: EscalationStore | None = getattr(request.app.state, "family_contacts", None)
    if found is None:
        state = request.app.state.ctx.state_store
        engine = getattr(state, "engine", None)
        if engine is None:
            raise HTTPException(503, "contacts need the SQL state store")
        found = EscalationStore(engine, schema=getattr(state, "schema", None))
        request.app.state.family_contacts = found
    return found


Contacts = Annotated[EscalationStore, Depends(contacts_store)]


def contact_id(user: Principal, home_id: str) -> str:
    return f"u-{user.user_id}-{home_id}"[:100]


def my_actors(user: Principal, home_id: str) -> set[str]:
    """Every actor id that is the reader: user:<name>, and family:<their contact> (SMS link)."""
    return {user.actor, f"family:{contact_id(user, home_id)}"}


def names_for(
    ctx: WebContext,
    store: EscalationStore,
    home_id: str,
    alarms: Sequence[Alarm],
    *,
    closed: bool = False,
) -> dict[str, str]:
    """Display names of whoever holds these alarms (`closed`: also whoever took them before they
    closed): users by their display name, contacts (one-tap SMS links) by theirs."""
    names: dict[str, str] = {}
    contacts: dict[str, str] | None = None
    actors = {accepted_by(a) for a in alarms}
    if closed:
        actors |= {c.actor for a in alarms for c in a.history if c.state is AlarmState.ACCEPTED}
    for actor in sorted(a for a in actors if a is not None):
        if actor in names:
            continue
        kind, _, ident = actor.partition(":")
        if kind == "user":
            record = ctx.auth.users.by_username(ident)
            names[actor] = record.display_name or record.username if record else ident
        elif kind == "family":
            if contacts is None:
                home = ctx.state_store.get_home(home_id)
                scopes = [home_id, home.community_id if home else "", "*"]
                contacts = {c["contact_id"]: c["name"] for c in store.contacts(scopes)}
            names[actor] = contacts.get(ident, ident)
    return names


@router.get("/preferences")
def get_preferences(
    ctx: Ctx, store: Contacts, user: FamilyUser, audit: Audit
) -> FamilyPreferencesOut:
    out = _preferences(ctx, store, user)
    audit.read(user, "contacts", _shown_ids(ctx, store, user), detail="family preferences")
    return out


@router.put("/preferences")
def put_preferences(
    ctx: Ctx, store: Contacts, user: FamilyUser, audit: Audit, body: FamilyPreferencesIn
) -> FamilyPreferencesOut:
    quiet = (body.quiet.start, body.quiet.end) if body.quiet else None
    try:
        prefs = parse(body.name, body.language, body.addresses, body.preferred, quiet)
    except PreferenceError as exc:
        raise HTTPException(400, str(exc)) from exc
    homes = _homes(ctx, user)
    if not homes:
        raise HTTPException(409, "your account has no relatives yet; nobody to be told about")
    for home_id, timezone in homes:
        contact = Contact(contact_id(user, home_id), prefs.name, ContactRole.FAMILY, home_id,
                          prefs.language, dict(prefs.addresses), prefs.preferred, prefs.quiet,
                          timezone)  # fmt: skip
        store.save_contact(contact.contact_id, home_id, contact.to_json())
    if prefs.language != user.language:
        ctx.auth.users.update_user(user.user_id, ctx.auth.now_ms(), language=prefs.language)
    audit.write(user, "contacts", [contact_id(user, h) for h, _ in homes], detail="preferences")
    return _preferences(ctx, store, user, language=prefs.language)


def _homes(ctx: WebContext, user: Principal) -> list[tuple[str, str]]:
    homes: dict[str, str] = {}
    for rid in sorted(user.residents):
        resident = ctx.state_store.get_resident(rid)
        home = ctx.state_store.get_home(resident.home_id) if resident else None
        if home is not None:
            homes[home.home_id] = home.timezone
    return sorted(homes.items())


def _mine(ctx: WebContext, store: EscalationStore, user: Principal) -> Contact | None:
    for home_id, _ in _homes(ctx, user):
        for body in store.contacts([home_id]):
            if body.get("contact_id") == contact_id(user, home_id):
                return Contact.from_json(body)
    return None


def _preferences(
    ctx: WebContext, store: EscalationStore, user: Principal, language: str | None = None
) -> FamilyPreferencesOut:
    mine = _mine(ctx, store, user)
    quiet = QuietHours(start=mine.quiet[0], end=mine.quiet[1]) if mine and mine.quiet else None
    return FamilyPreferencesOut(
        name=mine.name if mine else (user.display_name or user.username),
        language=language or (mine.language if mine else user.language),
        addresses=dict(mine.addresses) if mine else {},
        preferred=list(mine.preferred) if mine else [],
        quiet=quiet,
        channels=list(CHANNELS),
        order=[_order(ctx, store, user, rid) for rid in sorted(user.residents) if _known(ctx, rid)],
    )


def _known(ctx: WebContext, resident_id: str) -> bool:
    return ctx.state_store.get_resident(resident_id) is not None


def _order(
    ctx: WebContext, store: EscalationStore, user: Principal, resident_id: str
) -> NotifyOrder:
    """Who is told about a critical alarm of this relative, stage by stage."""
    resident = ctx.state_store.get_resident(resident_id)
    assert resident is not None
    home = ctx.state_store.get_home(resident.home_id)
    community = home.community_id if home else ""
    body = store.load_policies(community)
    book = PolicyBook(community) if body is None else PolicyBook.from_json(body)
    residents = ctx.state_store.list_residents(resident.home_id)
    policy = book.choose(Severity.CRITICAL, risks_of(residents, ctx.alarms.clock.now()))
    people = [Contact.from_json(c) for c in store.contacts([resident.home_id, community, "*"])]
    me = contact_id(user, resident.home_id)
    steps = [
        OrderStep(
            stage=stage.name,
            after_s=stage.after_s,
            roles=[r.value for r in stage.roles],
            people=[
                OrderPerson(name=c.name, role=c.role.value, you=c.contact_id == me)
                for c in people
                if c.role in stage.roles
            ],
        )
        for stage in policy.stages
    ]
    return NotifyOrder(resident_id=resident_id, resident_name=resident.name, steps=steps)


def _shown_ids(ctx: WebContext, store: EscalationStore, user: Principal) -> list[str]:
    ids: list[str] = []
    for home_id, _ in _homes(ctx, user):
        home = ctx.state_store.get_home(home_id)
        scopes = [home_id, home.community_id if home else "", "*"]
        ids.extend(str(c["contact_id"]) for c in store.contacts(scopes))
    return ids
