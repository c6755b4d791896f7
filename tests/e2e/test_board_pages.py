"""The board over more open alarms than one API page holds (at most 200 a request): in Chromium,
every open alarm becomes exactly one row, criticals first, although the list came in pages
(shown as they arrive on an empty board, then rebuilt in one go)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from anju.wiring import Anju, build
from broker.mosquitto import Mosquitto
from domain.access import Role
from domain.alarms import Detection, Severity
from tests.conftest import require
from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS, e2e_settings, provision
from tests.e2e.test_board_browser import sign_in
from tests.web.auth_support import add_user

OPEN = 450  # three pages of the board's 200


@pytest.fixture
def anju(mosquitto: Mosquitto, tmp_path: Path) -> Iterator[Anju]:
    app = build(e2e_settings(mosquitto, tmp_path, "browser-pages"))
    for n in range(OPEN):
        provision(app.state_store, f"p{n:03d}")
    add_user(app, Role.OPERATOR, username="op1", communities=["jinghong-01"])
    app.start()
    now = int(time.time() * 1000)
    for n in range(OPEN):  # every fifth critical, the rest major; each a distinct instant
        severity = Severity.CRITICAL if n % 5 == 0 else Severity.MAJOR
        kind = "sos" if severity is Severity.CRITICAL else "inactivity"
        app.alarms.on_detection(Detection(f"p{n:03d}", kind, severity, now - n, f"p{n:03d}-sos"))
    yield app
    app.stop()


def test_every_open_alarm_is_one_row_across_pages(anju: Anju) -> None:
    require(CHROMIUM.exists(), f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page: Any = browser.new_page(viewport={"width": 1400, "height": 900})
            sign_in(page, anju.url)
            page.locator("li.alarm").nth(OPEN - 1).wait_for(timeout=15_000)
            time.sleep(0.3)  # the last page's render settles: no row may come twice
            ids = page.eval_on_selector_all("li.alarm", "rows => rows.map(r => r.dataset.alarmId)")
            assert len(ids) == len(set(ids)) == OPEN
            opened = anju.alarms.list(open_only=True, limit=1000)
            assert set(ids) == {a.alarm_id for a in opened}
            critical = {a.alarm_id for a in opened if a.severity is Severity.CRITICAL}
            assert set(ids[: len(critical)]) == critical  # severity first, whatever page it was on
        finally:
            browser.close()


def test_a_refusal_reads_in_the_pages_language(anju: Anju) -> None:
    require(CHROMIUM.exists(), f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    taken = anju.alarms.list(open_only=True, limit=1)[0].alarm_id
    anju.alarms.accept(taken, "user:op2")  # a colleague was first
    call = """async (id) => {
        try { await Board.api("POST", `/api/alarms/${id}/accept`, {note: ""}); return null; }
        catch (e) { return [e.status, e.message, e.detail]; }
    }"""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page: Any = browser.new_page()
            sign_in(page, anju.url)
            status, message, detail = page.evaluate(call, taken)
            assert (status, message) == (409, "他人已先行处理，页面已是最新状态")
            assert "accepted" in detail  # the server's own words stay on the error
            page.goto(f"{anju.url}/?lang=en")
            page.wait_for_selector("#status[data-live='1']", timeout=10_000)
            status, message, _ = page.evaluate(call, taken)
            assert (status, message) == (409, "someone else acted first; the page shows the latest")
        finally:
            browser.close()
