"""Issue 7's journey as people live it, in Debian's Chromium: the resident presses the SOS of a
simulated pendant (firmware_sim's own firmware and MQTT connection, a real Mosquitto), ingest
raises the alarm, and it is on the operator's board within a second; the operator accepts it on
the board; the daughter, signed in on her phone in another browser context, sees who is handling
it. Both pages read in Chinese without asking; then the daughter switches to English once.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from anju.wiring import Anju, build
from broker.mosquitto import Mosquitto
from domain import contract
from domain.access import Role
from firmware_sim import models
from firmware_sim.firmware import Firmware, SeqStore
from firmware_sim.mqtt import MqttSink
from stores.state.users import UserRecord
from tests.conftest import require
from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS, e2e_settings, provision
from tests.web.auth_support import PASSWORD, add_user, auth_of, cheap_hash

OPERATOR = "值班员小李"


@pytest.fixture
def anju(mosquitto: Mosquitto, tmp_path: Path) -> Iterator[Anju]:
    settings = e2e_settings(mosquitto, tmp_path, "journey-ingest")
    app = build(settings)
    provision(app.state_store, "h1")  # 玉罕 at home h1 of jinghong-01, SOS button and pendant
    add_user(app.app, Role.FAMILY, username="daughter", residents=["h1-r"])
    auth = auth_of(app.app)
    at = auth.now_ms()
    operator = UserRecord(
        user_id=uuid.uuid4().hex,
        username="op1",
        display_name=OPERATOR,
        role=Role.OPERATOR,
        created_ms=at,
        updated_ms=at,
        communities=frozenset({"jinghong-01"}),
    )
    auth.users.add_user(operator, cheap_hash(PASSWORD))
    app.start()
    yield app
    app.stop()


@pytest.fixture
def browser() -> Iterator[Any]:
    require(CHROMIUM.exists(), f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def sign_in(page: Any, url: str, username: str) -> None:
    """As a person does: open the page, get sent to the log-in form, fill it in."""
    page.goto(url)
    page.wait_for_url("**/login**")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


class Pendant:
    """The resident's pendant: firmware_sim's firmware on firmware_sim's MQTT connection."""

    def __init__(self, anju: Anju, port: int) -> None:
        device = anju.state_store.get_device("h1-pend")
        assert device is not None
        self.firmware = Firmware(
            device, models.PENDANT, SeqStore(), time.time(), np.random.default_rng(1)
        )
        self.sink = MqttSink("127.0.0.1", port, ["h1"], client_prefix="journey-sim")
        self.sink.start()

    def press_sos(self) -> None:
        name, payload = self.firmware.event(time.time(), contract.Sos)
        self.sink.publish("h1", name, payload, 1, False)

    def close(self) -> None:
        assert self.sink.flush(10.0)
        self.sink.stop()


def test_sos_reaches_the_board_the_operator_takes_it_and_the_family_sees_who(
    anju: Anju, mosquitto: Mosquitto, browser: Any
) -> None:
    desk = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    board, family = desk.new_page(), phone.new_page()
    sign_in(board, f"{anju.url}/", "op1")
    board.wait_for_selector("#status[data-live='1']", timeout=10_000)
    assert board.locator("h1").inner_text() == "值班台：待处理警报"
    sign_in(family, f"{anju.url}/family", "daughter")
    family.wait_for_selector("body[data-loaded]", timeout=10_000)
    family.wait_for_selector("#live:not(.off):has-text('实时更新')", timeout=10_000)
    assert family.locator("#no-open").is_visible()

    pendant = Pendant(anju, mosquitto.port)
    try:
        pressed = time.perf_counter()
        pendant.press_sos()
        board.wait_for_selector("li.alarm[data-state='raised']", timeout=5_000)
        took = time.perf_counter() - pressed
    finally:
        pendant.close()
    assert took < 1.0, f"the SOS took {took:.3f} s from the pendant to the board"
    row = board.locator("li.alarm").first
    assert "紧急呼叫 (SOS)" in row.inner_text() and "玉罕" in row.inner_text()
    alarm = anju.state_store.find_open_alarm("h1", "sos")
    assert alarm is not None and alarm.device_id == "h1-pend"
    assert row.get_attribute("data-alarm-id") == alarm.alarm_id
    mine = family.locator(f"#open-list li[data-id='{alarm.alarm_id}']")
    mine.wait_for(timeout=5_000)
    assert "紧急呼叫" in mine.inner_text()

    row.locator("button.accept").click()
    board.wait_for_selector(f"li[data-alarm-id='{alarm.alarm_id}'] .taken", timeout=5_000)
    assert "已接警：op1" in row.inner_text()
    stored = anju.state_store.get_alarm(alarm.alarm_id)
    assert stored is not None and stored.history[-1].actor == "user:op1"

    mine.locator(f".who:has-text('{OPERATOR}')").wait_for(timeout=5_000)
    assert f"由 {OPERATOR} 处理" in mine.inner_text()
    assert mine.locator("button.accept").count() == 0  # taken: nothing left for her to press

    family.click("#lang")  # once in English
    family.wait_for_selector("body[data-lang='en'][data-loaded]", timeout=10_000)
    again = family.locator(f"#open-list li[data-id='{alarm.alarm_id}']")
    again.wait_for(timeout=5_000)
    assert f"handled by {OPERATOR}" in again.inner_text()
    assert board.locator("html").get_attribute("lang") == "zh-CN"  # her choice is hers only
