"""`/api/devices`: register a device of a model (its MQTT credentials, shown once), claim it to
a home and room, revoke it, list and read devices — each caller within their scope.

Who may do what: the admin everything; an operator registers devices, claims them to homes of
their communities and revokes those (and sees the devices of those homes, plus the devices not
yet in any home); an integrator registers, sees and revokes devices of their own models only
and never sees homes or rooms. A device outside the caller's scope answers 404.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from pydantic import BaseModel, Field

from broker.acl_dynsec import BrokerError
from broker.credentials_service import Provisioning, ProvisioningError
from domain.access import Principal, Role, home_scope, sees_personal_data
from domain.topics import ID_PATTERN
from stores.state.device_credentials import Registration
from web.deps import Audit, Ctx, CurrentUser

router = APIRouter(prefix="/api/devices", tags=["devices"])

DeviceId = Annotated[str, Path(pattern=rf"^{ID_PATTERN}$", description="device id")]
MANAGERS = (Role.ADMIN, Role.OPERATOR, Role.INTEGRATOR)


class RegisterBody(BaseModel):
    model_config = {"extra": "forbid"}
    device_id: str = Field(pattern=rf"^{ID_PATTERN}$", description="the device's id in Anju")
    model_id: str = Field(min_length=1, max_length=64, description="a model of the registry")


class ClaimBody(BaseModel):
    model_config = {"extra": "forbid"}
    home_id: str = Field(min_length=1, max_length=100)
    room: str | None = Field(None, max_length=32, description="domain.model.Room; none: worn")


def provisioning(request: Request) -> Provisioning:
    found: Provisioning | None = getattr(request.app.state, "provisioning", None)
    if found is None:
        raise HTTPException(503, "device provisioning is not configured on this server")
    return found


Prov = Annotated[Provisioning, Depends(provisioning)]


def view(reg: Registration, user: Principal) -> dict[str, Any]:
    out: dict[str, Any] = {
        "device_id": reg.device_id,
        "model_id": reg.model_id,
        "status": reg.status,
        "mqtt_username": reg.username,
        "registered_ms": reg.registered_ms,
        "claimed_ms": reg.claimed_ms,
        "revoked_ms": reg.revoked_ms,
    }
    if sees_personal_data(user):
        out.update(home_id=reg.home_id, room=reg.room)
    return out


def _community(ctx: Any, home_id: str) -> str | None:
    home = ctx.state_store.get_home(home_id)
    return None if home is None else str(home.community_id)


def may_see(ctx: Any, user: Principal, reg: Registration) -> bool:
    if user.role is Role.INTEGRATOR:
        return reg.model_id in user.models
    if reg.home_id is None:
        return user.role in (Role.ADMIN, Role.OPERATOR)
    return home_scope(user).allows(reg.home_id, _community(ctx, reg.home_id))


def visible(ctx: Any, prov: Provisioning, user: Principal, device_id: str) -> Registration:
    reg = prov.get(device_id)
    if reg is None or not may_see(ctx, user, reg):
        raise HTTPException(404, f"no device {device_id}")
    return reg


def _run(call: Any, *args: Any) -> Registration:
    try:
        result: Registration = call(*args)
    except ProvisioningError as exc:
        raise HTTPException(exc.status, str(exc)) from None
    except BrokerError as exc:
        raise HTTPException(503, f"the MQTT broker did not take the change: {exc}") from None
    return result


@router.post("", status_code=201)
def register(body: RegisterBody, *, prov: Prov, user: CurrentUser, audit: Audit) -> Any:
    if user.role not in MANAGERS:
        raise HTTPException(403, "registering devices needs the role admin, operator or integrator")
    if user.role is Role.INTEGRATOR and body.model_id not in user.models:
        raise HTTPException(403, f"model {body.model_id!r} is not one of yours")
    try:
        issued = prov.register(body.device_id, body.model_id, by=user.username)
    except ProvisioningError as exc:
        raise HTTPException(exc.status, str(exc)) from None
    except BrokerError as exc:
        raise HTTPException(503, f"the MQTT broker did not take the account: {exc}") from None
    audit.write(user, "device", [body.device_id], detail=f"register model={body.model_id}")
    out = view(issued.registration, user)
    out["mqtt_password"] = issued.password
    out["note"] = "the password is shown once: Anju keeps only its hash"
    return out


@router.post("/{device_id}/claim")
def claim(
    device_id: DeviceId, body: ClaimBody, *, ctx: Ctx, prov: Prov, user: CurrentUser, audit: Audit
) -> Any:
    if user.role not in (Role.ADMIN, Role.OPERATOR):
        raise HTTPException(403, "claiming a device to a home needs the role admin or operator")
    visible(ctx, prov, user, device_id)
    if not home_scope(user).allows(body.home_id, _community(ctx, body.home_id)):
        raise HTTPException(404, f"home {body.home_id!r} not found")
    reg = _run(prov.claim, device_id, body.home_id, body.room)
    audit.write(user, "device", [device_id], detail=f"claim home={body.home_id} room={body.room}")
    return view(reg, user)


@router.post("/{device_id}/revoke")
def revoke(device_id: DeviceId, *, ctx: Ctx, prov: Prov, user: CurrentUser, audit: Audit) -> Any:
    if user.role not in MANAGERS:
        raise HTTPException(403, "revoking devices needs the role admin, operator or integrator")
    visible(ctx, prov, user, device_id)
    reg = _run(prov.revoke, device_id)
    audit.write(user, "device", [device_id], detail="revoke")
    return view(reg, user)


@router.get("")
def list_devices(*, prov: Prov, user: CurrentUser, audit: Audit) -> Any:
    if user.role is Role.INTEGRATOR:
        regs = prov.registrations(model_ids=sorted(user.models))
    elif user.role is Role.ADMIN:
        regs = prov.registrations()
    else:
        scope = home_scope(user)
        regs = prov.registrations(
            home_ids=scope.homes,
            communities=scope.communities,
            unclaimed=user.role is Role.OPERATOR,
        )
    audit.read(user, "device", [r.device_id for r in regs])
    return {"devices": [view(r, user) for r in regs]}


@router.get("/{device_id}")
def get_device(
    device_id: DeviceId, *, ctx: Ctx, prov: Prov, user: CurrentUser, audit: Audit
) -> Any:
    reg = visible(ctx, prov, user, device_id)
    audit.read(user, "device", [device_id])
    return view(reg, user)
