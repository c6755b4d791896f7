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

HERE = Path(__file__).parent

HealthCheck = Callable[[], bool]
"""True when the part is fine; False or an exception when it is not."""


@dataclass
class WebContext:
    state_store: StateStore
    feed: Feed
    alarms: AlarmService
    health: Mapping[str, HealthCheck] = field(default_factory=dict)
    keepalive_s: float = 15.0


def create_app(
    state_store: StateStore,
    feed: Feed,
    alarms: AlarmService,
    *,
    health: Mapping[str, HealthCheck] | None = None,
    keepalive_s: float = 15.0,
) -> FastAPI:
    from web.routes import alarms as alarm_routes
    from web.routes import board, escalation, kpi, links, live, ops

    app = FastAPI(title="Anju (安居)", version="0.1.0")
    app.state.ctx = WebContext(state_store, feed, alarms, dict(health or {}), keepalive_s)
    app.include_router(board.router)
    app.include_router(alarm_routes.router)
    app.include_router(live.router)
    app.include_router(ops.router)
    app.include_router(kpi.router)
    app.include_router(links.router)
    app.include_router(escalation.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app
