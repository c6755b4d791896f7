"""The board in a real browser (Debian's Chromium through Playwright): a published SOS shows up
on the page within a second, newest critical on top, and the operator can accept it.

Set ANJU_SCREENSHOT=path/to/board.png to keep a screenshot (docs/img/board.png comes from here).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from anju.settings import Settings
from anju.wiring import Anju, build
from broker.mosquitto import Mosquitto, free_port
from tests.conftest import require
from tests.e2e.helpers import Publisher, provision

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture
def anju(mosquitto: Mosquitto, tmp_path: Path) -> Iterator[Anju]:
    settings = Settings(
        data_dir=tmp_path / "data",
        mqtt_port=mosquitto.port,
        http_port=free_port(),
        mqtt_client_id="browser-ingest",
    )
    app = build(settings)
    for home in ("h1", "h2"):
        provision(app.state_store, home)
    app.start()
    yield app
    app.stop()


@pytest.fixture
def page(anju: Anju) -> Iterator[Any]:
    require(CHROMIUM.exists(), f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 520}, locale="zh-CN")
            yield page
        finally:
            browser.close()


def test_sos_appears_on_the_board_within_a_second_is_accepted_and_reads_in_english(
    anju: Anju, mosquitto: Mosquitto, page: Any
) -> None:
    page.goto(f"{anju.url}/")
    page.wait_for_selector("#status[data-live='1']", timeout=10_000)
    assert page.locator("h1").inner_text() == "值班台：待处理警报"
    publisher = Publisher(mosquitto.port, "browser-pub")
    try:
        first = anju.state_store.get_device("h2-sos")
        second = anju.state_store.get_device("h1-sos")
        assert first is not None and second is not None
        publisher.sos(first, seq=1)
        page.wait_for_selector("li.alarm", timeout=5_000)
        time.sleep(0.05)  # a different raised_ms, so the order is well defined
        sent = time.perf_counter()
        publisher.sos(second, seq=1)
        page.wait_for_function("document.querySelectorAll('li.alarm').length === 2", timeout=5_000)
        took = time.perf_counter() - sent
        assert took < 1.0, f"the SOS took {took:.3f} s to reach the page"

        rows = page.locator("li.alarm")
        top = rows.nth(0)
        assert top.get_attribute("data-severity") == "critical"
        assert "紧急呼叫 (SOS)" in top.inner_text()
        assert "卧室" in top.inner_text() and "玉罕" in top.inner_text()
        alarm = anju.state_store.find_open_alarm("h1", "sos")
        assert alarm is not None and top.get_attribute("data-alarm-id") == alarm.alarm_id

        if shot := os.environ.get("ANJU_SCREENSHOT"):
            Path(shot).parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=shot, full_page=True)

        page.fill("#actor", "值班员小李")
        top.locator("button.accept").click()
        page.wait_for_selector(f"li[data-alarm-id='{alarm.alarm_id}'] .taken", timeout=5_000)
        assert (
            "已接警：值班员小李"
            in page.locator(f"li[data-alarm-id='{alarm.alarm_id}']").inner_text()
        )
        stored = anju.state_store.get_alarm(alarm.alarm_id)
        assert stored is not None and stored.state.value == "accepted"
        assert stored.history[-1].actor == "值班员小李"

        # the same board in English
        page.click("#lang")
        page.wait_for_selector("#status[data-live='1']", timeout=10_000)
        assert page.locator("h1").inner_text() == "Operator board: open alarms"
        assert page.locator("html").get_attribute("lang") == "en"
        row = page.locator(f"li[data-alarm-id='{alarm.alarm_id}']")
        assert "SOS call" in row.inner_text() and "Accepted by 值班员小李" in row.inner_text()
    finally:
        publisher.close()
