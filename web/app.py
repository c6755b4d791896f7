"""The web app factory: operator board, alarm API, live feed, health and metrics."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from alerts.feed import Feed
from alerts.service import AlarmService
from domain.ports import StateStore
from web.auth.service import Auth, AuthOptions
from web.errors import ERRORS
from web.security_headers import SecurityHeaders

HERE = Path(__file__).parent

HealthCheck = Callable[[], bool]
"""True when the part is fine; False or an exception when it is not."""


@dataclass
class WebContext:
    state_store: StateStore
    feed: Feed
    alarms: AlarmService
    auth: Auth  # users, sessions, tokens, the audit log
    health: Mapping[str, HealthCheck] = field(default_factory=dict)
    keepalive_s: float = 15.0


def create_app(
    state_store: StateStore,
    feed: Feed,
    alarms: AlarmService,
    *,
    health: Mapping[str, HealthCheck] | None = None,
    keepalive_s: float = 15.0,
    auth: Auth | None = None,
    auth_options: AuthOptions | None = None,
) -> FastAPI:
    from web.routes import (
        alarm_actions,
        audit,
        board,
        checkins,
        escalation,
        family,
        family_page,
        family_prefs,
        homes,
        kpi,
        links,
        live,
        ops,
        users,
    )
    from web.routes import alarms as alarm_routes
    from web.routes import auth as auth_routes
    from web.routes import devices as device_routes

    app = FastAPI(title="Anju (安居)", version="0.1.0", responses=ERRORS)
    if auth is None:
        auth = make_auth(state_store, alarms, auth_options)
    app.state.ctx = WebContext(
        state_store, feed, alarms, auth, health=dict(health or {}), keepalive_s=keepalive_s
    )
    app.include_router(board.router)
    app.include_router(alarm_actions.router)  # before alarms: /{alarm_id}/{action}
    app.include_router(alarm_routes.router)
    app.include_router(homes.router)
    app.include_router(checkins.router)
    app.include_router(live.router)
    app.include_router(ops.router)
    app.include_router(kpi.router)
    app.include_router(links.router)
    app.include_router(escalation.router)
    app.include_router(auth_routes.router)
    app.include_router(users.router)
    app.include_router(audit.router)
    app.include_router(device_routes.router)
    app.include_router(family.router)
    app.include_router(family_prefs.router)
    app.include_router(family_page.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_middleware(SecurityHeaders)
    return app


def make_auth(state_store: StateStore, alarms: AlarmService, options: AuthOptions | None) -> Auth:
    """Users, sessions, tokens and the audit log live in the state store's database."""
    from stores.state.users import UserStore

    engine = getattr(state_store, "engine", None)
    if engine is None:
        raise TypeError("log-in needs the SQL state store (users live beside the state)")
    schema = getattr(state_store, "schema", None)
    return Auth(UserStore(engine, schema=schema), alarms.clock, options)
