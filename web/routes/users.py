"""`/api/users`: the admin's user management — create, list, read, change role and scope,
disable, reset a password. Every read and change is written to the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from pydantic import BaseModel, Field

from domain.access import Principal, Role
from stores.state.users import UserExistsError, UserRecord
from web.auth.passwords import WeakPasswordError
from web.auth.service import LANGUAGES
from web.deps import Audit, Ctx, require_roles

router = APIRouter(prefix="/api/users", tags=["users"])

Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
UserId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="user id")]
ScopeId = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:@-]+$")]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f]+$")]
Language = Annotated[str, Field(pattern="^(" + "|".join(LANGUAGES) + ")$")]
SCOPE_OF_ROLE = {Role.OPERATOR: "communities", Role.FAMILY: "residents", Role.INTEGRATOR: "models"}


class NewUser(BaseModel):
    model_config = {"extra": "forbid"}
    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.@-]+$")
    password: str = Field(min_length=1, max_length=200)
    role: Role
    display_name: Name | None = None
    language: Language = "zh-CN"
    communities: list[ScopeId] = Field(default_factory=list, max_length=1000)
    residents: list[ScopeId] = Field(default_factory=list, max_length=1000)
    models: list[ScopeId] = Field(default_factory=list, max_length=1000)


class UserChange(BaseModel):
    model_config = {"extra": "forbid"}
    display_name: Name | None = None
    role: Role | None = None
    language: Language | None = None
    disabled: bool | None = None
    communities: list[ScopeId] | None = Field(None, max_length=1000)
    residents: list[ScopeId] | None = Field(None, max_length=1000)
    models: list[ScopeId] | None = Field(None, max_length=1000)


class PasswordReset(BaseModel):
    model_config = {"extra": "forbid"}
    password: str = Field(min_length=1, max_length=200)


def check_scope(role: Role, scopes: dict[str, list[str] | frozenset[str]]) -> None:
    """Each role has one kind of scope; the others must stay empty."""
    allowed = SCOPE_OF_ROLE.get(role)
    for key, values in scopes.items():
        if values and key != allowed:
            raise HTTPException(400, f"{key}: not for the role {role.value}")


@router.get("")
def list_users(
    *,
    ctx: Ctx,
    admin: Admin,
    audit: Audit,
    role: Role | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> dict[str, Any]:
    users = ctx.auth.users.list_users(role=role, limit=limit, offset=offset)
    audit.read(admin, "user", [u.user_id for u in users])
    return {"users": [u.public() for u in users], "limit": limit, "offset": offset}


@router.post("", status_code=201)
def create_user(ctx: Ctx, admin: Admin, audit: Audit, body: NewUser) -> dict[str, Any]:
    scopes = {"communities": body.communities, "residents": body.residents, "models": body.models}
    check_scope(body.role, dict(scopes))
    try:
        user = ctx.auth.create_user(
            body.username,
            body.role,
            body.password,
            display_name=body.display_name or "",
            language=body.language,
            **scopes,
        )
    except WeakPasswordError as exc:
        raise HTTPException(400, f"password: {exc}") from exc
    except UserExistsError as exc:
        raise HTTPException(409, str(exc)) from exc
    audit.write(admin, "user", [user.user_id], detail=f"created {user.username} ({user.role})")
    return user.public()


@router.get("/{user_id}")
def get_user(ctx: Ctx, admin: Admin, audit: Audit, user_id: UserId) -> dict[str, Any]:
    user = _user(ctx, user_id)
    audit.read(admin, "user", [user_id])
    return user.public()


@router.patch("/{user_id}")
def change_user(
    ctx: Ctx, admin: Admin, audit: Audit, user_id: UserId, body: UserChange
) -> dict[str, Any]:
    user = _user(ctx, user_id)
    changes = body.model_dump(exclude_none=True)
    if user_id == admin.user_id and (body.disabled or body.role not in (None, Role.ADMIN)):
        raise HTTPException(409, "you cannot disable yourself or give up your own admin role")
    role = body.role or user.role
    merged = {
        key: changes.get(key, getattr(user, key)) for key in ("communities", "residents", "models")
    }
    if body.role is not None and body.role is not user.role:  # a new role drops other scopes
        for key in merged:
            if key not in changes and key != SCOPE_OF_ROLE.get(role):
                changes[key] = merged[key] = []
    check_scope(role, merged)
    updated = ctx.auth.users.update_user(user_id, ctx.auth.now_ms(), **changes)
    if updated is None:
        raise HTTPException(404, f"no user {user_id}")
    if body.disabled:
        ctx.auth.set_disabled(user_id, True)  # ends the user's sessions at once
    audit.write(admin, "user", [user_id], detail="changed " + ", ".join(sorted(changes)))
    return updated.public()


@router.post("/{user_id}/password")
def reset_password(
    ctx: Ctx, admin: Admin, audit: Audit, user_id: UserId, body: PasswordReset
) -> dict[str, Any]:
    _user(ctx, user_id)
    try:
        ctx.auth.set_password(user_id, body.password)
    except WeakPasswordError as exc:
        raise HTTPException(400, f"password: {exc}") from exc
    audit.write(admin, "user", [user_id], detail="password reset")
    return {"user_id": user_id, "password_reset": True, "sessions_ended": True}


def _user(ctx: Any, user_id: str) -> UserRecord:
    user: UserRecord | None = ctx.auth.users.get_user(user_id)
    if user is None:
        raise HTTPException(404, f"no user {user_id}")
    return user
