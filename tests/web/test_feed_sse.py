from __future__ import annotations

import json
import threading
import time

import httpx

from domain.access import Role
from domain.alarms import Detection, Severity
from tests.web.auth_support import add_user, token_for
from tests.web.conftest import Board
from web.server import WebServer


def read_events(
    url: str,
    want: int,
    out: list[tuple[str, dict[str, object], float]],
    headers: dict[str, str] | None = None,
) -> None:
    with (
        httpx.Client(timeout=10, headers=headers) as client,
        client.stream("GET", url) as response,
    ):
        kind = ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                out.append((kind, json.loads(line[6:]), time.perf_counter()))
                if len(out) >= want:
                    return


def test_sse_says_hello_then_streams_alarm_changes(board: Board, served: WebServer) -> None:
    got: list[tuple[str, dict[str, object], float]] = []
    admin = token_for(board.app, add_user(board.app, Role.ADMIN))
    url = f"{served.url}/api/feed"
    reader = threading.Thread(target=read_events, args=(url, 3, got, admin))
    reader.start()
    deadline = time.monotonic() + 5
    while board.feed.subscriber_count == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    sent = time.perf_counter()
    alarm = board.alarms.on_detection(Detection("h1", "sos", Severity.CRITICAL, 1, "btn1"))
    board.alarms.accept(alarm.alarm_id, "user:op1")
    reader.join(5)
    assert [k for k, _, _ in got] == ["hello", "alarm", "alarm"]
    assert [d["change"] for _, d, _ in got[1:]] == ["raised", "accepted"]
    assert got[1][2] - sent < 1.0


def test_stop_ends_open_streams_quickly(board: Board, served: WebServer) -> None:
    got: list[tuple[str, dict[str, object], float]] = []
    admin = token_for(board.app, add_user(board.app, Role.ADMIN))
    url = f"{served.url}/api/feed"
    reader = threading.Thread(target=read_events, args=(url, 99, got, admin))
    reader.start()
    deadline = time.monotonic() + 5
    while board.feed.subscriber_count == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    served.stop()
    reader.join(5)
    assert not reader.is_alive()
    assert time.monotonic() - started < 3
