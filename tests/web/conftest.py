"""The web app on a real SQLite state store; uvicorn on a free port where streaming matters."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from alerts.feed import LocalFeed
from alerts.service import AlarmService
from broker.mosquitto import free_port
from domain.clock import SystemClock
from domain.model import Home, Resident
from stores.state.sql import SqlStateStore
from web.app import create_app
from web.server import WebServer


@dataclass
class Board:
    store: SqlStateStore
    feed: LocalFeed
    alarms: AlarmService
    app: FastAPI
    healthy: dict[str, bool]


@pytest.fixture
def board(tmp_path: Path) -> Iterator[Board]:
    store = SqlStateStore(f"sqlite:///{tmp_path / 'state.db'}")
    store.upsert_home(Home("h1", "jinghong-01", address="景洪市嘎兰中路 8 号"))
    store.upsert_resident(Resident("r1", "h1", "岩温"))
    feed = LocalFeed()
    alarms = AlarmService(store, feed, SystemClock())
    healthy = {"broker": True}
    app = create_app(
        store,
        feed,
        alarms,
        health={
            "state_store": lambda: store.get_home("h1") is not None,
            "broker": lambda: healthy["broker"],
        },
        keepalive_s=0.5,
    )
    yield Board(store, feed, alarms, app, healthy)
    feed.close()
    store.close()


@pytest.fixture
def client(board: Board) -> Iterator[TestClient]:
    with TestClient(board.app) as c:
        yield c


@pytest.fixture
def served(board: Board) -> Iterator[WebServer]:
    server = WebServer(board.app, board.feed, port=free_port()).start()
    yield server
    server.stop()
