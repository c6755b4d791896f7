"""The operator board in a real browser (Debian's Chromium through Playwright), as op1 would use
it: sign in, a published SOS appears within a second with a beep and a flash, open its detail
(profile, health record, contacts, activity chart, devices), log a call, dispatch 120, resolve
with an outcome; the homes tiles and the check-in list answer; the page reads in English too.

Set ANJU_SCREENSHOT=path/to/board.png to keep a screenshot (docs/img/board.png comes from here).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from alerts.escalation.contacts import Contact
from alerts.escalation.policy import Role as EscRole
from anju.wiring import Anju, build
from broker.mosquitto import Mosquitto
from domain.access import Role
from domain.alarms import Alarm
from domain.model import Device, DeviceKind, Home, Room
from domain.points import FieldValue, Point
from domain.record import FamilyMember, Household, ResidentRecord, SelfCare
from stores.state.escalation import EscalationStore
from stores.state.records import BoardStore
from stores.state.sql import SqlStateStore
from tests.conftest import require
from tests.e2e.helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    Publisher,
    e2e_settings,
    provision,
    watch_policy,
)
from tests.web.auth_support import PASSWORD, add_user

ROOMS = (("bed", Room.BEDROOM), ("kit", Room.KITCHEN), ("bath", Room.BATHROOM))


def seed_activity(app: Anju) -> None:
    """Sensors in three rooms and a front door, and a morning of their events (for the chart)."""
    now = int(time.time() * 1000)
    points: list[Point] = []
    for name, room in ROOMS:
        app.state_store.upsert_device(Device(f"h1-pir-{name}", "h1", DeviceKind.MOTION, room=room))
    app.state_store.upsert_device(Device("h1-door", "h1", DeviceKind.DOOR, room=Room.ENTRANCE))
    # (minutes ago, device, event): got up, bathroom, kitchen, out and back, rest, kitchen again
    script = [(m, "h1-pir-bed") for m in range(330, 300, -4)]
    script += [(m, "h1-pir-bath") for m in range(298, 285, -3)]
    script += [(m, "h1-pir-kit") for m in range(280, 240, -5)]
    script += [(230, "h1-door"), (150, "h1-door")]
    script += [(m, "h1-pir-kit") for m in range(140, 110, -6)]
    script += [(m, "h1-pir-bed") for m in range(100, 20, -20)]
    for seq, (minutes, device) in enumerate(script, start=1):
        door = device == "h1-door"
        body: dict[str, FieldValue] = {"type": "door" if door else "motion"}
        body["state"] = "open" if door else True
        points.append(Point(now - minutes * 60_000, "h1", device, seq, "event", body))
    app.ts_store.write(points)


@pytest.fixture
def anju(mosquitto: Mosquitto, tmp_path: Path) -> Iterator[Anju]:
    settings = e2e_settings(mosquitto, tmp_path, "browser-ingest")
    app = build(settings)
    for home in ("h1", "h2"):
        provision(app.state_store, home)
    store = app.state_store
    assert isinstance(store, SqlStateStore)
    store.upsert_home(Home("h1", "jinghong-01", "景洪市勐泐大道 3 号", 22.00712, 100.79861))
    seed_activity(app)
    BoardStore(store.engine, schema=store.schema).save_record(
        ResidentRecord(
            "h1-r", household=Household.ALONE, conditions=("高血压",), self_care=SelfCare.PARTLY,
            family=(FamilyMember("岩香", "女儿", "13800001111"),), medication=("氨氯地平 5mg",),
        )
    )  # fmt: skip
    family = Contact("h1-family", "岩香", EscRole.FAMILY, "h1", addresses={"sms": "13800001111"})
    EscalationStore(store.engine, schema=store.schema).save_contact(
        family.contact_id, family.scope, family.to_json()
    )
    add_user(app, Role.OPERATOR, username="op1", communities=["jinghong-01"])
    app.start()
    yield app
    app.stop()


@pytest.fixture
def page(anju: Anju) -> Iterator[Any]:
    require(CHROMIUM.exists(), f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
            refused = watch_policy(page)
            yield page
            assert refused == []  # every script, style, image and stream is allowed
        finally:
            browser.close()


def sign_in(page: Any, url: str) -> None:
    page.goto(f"{url}/")
    page.wait_for_url("**/login**")
    page.fill("#username", "op1")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#status[data-live='1']", timeout=10_000)
    assert page.locator("h1").inner_text() == "值班台：待处理警报"


def sos_arrives(anju: Anju, publisher: Publisher, page: Any) -> Alarm:
    first, second = anju.state_store.get_device("h2-sos"), anju.state_store.get_device("h1-sos")
    assert first is not None and second is not None
    publisher.sos(first, seq=1)
    page.wait_for_selector("li.alarm", timeout=5_000)
    time.sleep(0.05)  # a different raised_ms, so the order is well defined
    beeps = page.evaluate("Board.beeps")
    sent = time.perf_counter()
    publisher.sos(second, seq=1)
    page.locator("li.alarm").nth(1).wait_for(timeout=5_000)  # the second row
    took = time.perf_counter() - sent
    assert took < 1.0, f"the SOS took {took:.3f} s to reach the page"
    assert page.evaluate("Board.beeps") == beeps + 1  # a beep for the new critical alarm
    assert page.evaluate("document.body.classList.contains('flash')")
    alarm = anju.state_store.find_open_alarm("h1", "sos")
    assert alarm is not None
    rows = page.locator("li.alarm")
    assert rows.nth(1).get_attribute("data-alarm-id") == alarm.alarm_id  # oldest first
    row = page.locator(f"li[data-alarm-id='{alarm.alarm_id}']")
    assert "紧急呼叫 (SOS)" in row.inner_text() and "玉罕" in row.inner_text()
    return alarm


def open_detail(page: Any, alarm: Alarm) -> None:
    """Profile, health record, contacts in order, activity chart, devices."""
    page.locator(f"li[data-alarm-id='{alarm.alarm_id}'] button.details").click()
    page.wait_for_selector(f"#detail[data-alarm-id='{alarm.alarm_id}'] .devices", timeout=5_000)
    text = page.locator("#detail").inner_text()
    for expected in ("玉罕", "独居", "高血压", "部分自理", "氨氯地平 5mg", "岩香", "家属"):
        assert expected in text, expected
    page.wait_for_selector("#chart svg rect.cell", timeout=5_000)
    lanes = page.eval_on_selector_all("#chart svg .lane-label", "ns => ns.map(n => n.textContent)")
    assert {"卧室 · 人体感应", "厨房 · 人体感应", "门口 · 门磁"} <= set(lanes)
    assert "openstreetmap.org" in (page.locator("#detail a.map").get_attribute("href") or "")


def call_dispatch_resolve(anju: Anju, page: Any, alarm: Alarm) -> None:
    form = page.locator("#call-form")
    form.locator("select[name=callee]").select_option("family")
    form.locator("input[name=callee_name]").fill("岩香")
    form.locator("input[name=number]").fill("13800001111")
    form.locator("select[name=result]").select_option("no_answer")
    form.locator("input[name=note]").fill("女儿在上班")
    # meanwhile a colleague accepts it on another screen: the panel follows, the form is kept
    anju.alarms.accept(alarm.alarm_id, "user:op2")
    page.wait_for_selector("#detail-head:has-text('已接警')", timeout=5_000)
    assert page.locator("#detail-accept").count() == 0
    assert form.locator("input[name=note]").input_value() == "女儿在上班"
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#actions-log li.call", timeout=5_000)
    assert "无人接听" in page.locator("#actions-log").inner_text()

    page.click("#dispatch")  # the confirm() dialog is accepted by the page's handler
    page.wait_for_selector("#actions-log li.dispatch", timeout=5_000)
    assert "景洪市勐泐大道 3 号" in page.locator("#actions-log li.dispatch").inner_text()
    taken = f"li[data-alarm-id='{alarm.alarm_id}'][data-state='in_progress']"
    page.wait_for_selector(taken, timeout=5_000)
    if shot := os.environ.get("ANJU_SCREENSHOT"):
        Path(shot).parent.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 1400, "height": 1250})  # the whole detail panel
        page.wait_for_timeout(3500)  # the new-alarm flash has faded
        page.screenshot(path=shot, full_page=False)
        page.set_viewport_size({"width": 1400, "height": 900})

    res = page.locator("#resolve-form")
    res.locator("select[name=outcome]").select_option("ambulance")
    res.locator("textarea[name=note]").fill("120 已送医")
    res.locator("button[type=submit]").click()
    page.wait_for_selector(f"li[data-alarm-id='{alarm.alarm_id}']", state="detached")
    stored = anju.state_store.get_alarm(alarm.alarm_id)
    assert stored is not None and stored.state.value == "resolved"
    assert stored.history[-1].actor == "user:op1"
    assert stored.history[-1].note == "ambulance: 120 已送医"


def homes_checkins_and_english(page: Any) -> None:
    page.click("#tab-homes")
    page.locator("li.home").nth(1).wait_for()
    assert page.locator(".tile-filter.alarm .n").inner_text() == "1"  # h2's SOS is open
    # mark h1's resident away (in hospital) from the home's panel: its tile becomes "away"
    page.click("li.home[data-home-id='h1']")
    page.wait_for_selector("#away-form")
    tomorrow = time.strftime("%Y-%m-%d", time.localtime(time.time() + 86_400))
    page.fill("#away-form input[name=until]", tomorrow)
    page.fill("#away-form input[name=note]", "住院")
    page.click("#away-form button[type=submit]")
    page.wait_for_selector("#away-back")
    page.click("#tab-homes")
    page.wait_for_selector("li.home[data-home-id='h1'].away")
    assert page.locator(".tile-filter.away .n").inner_text() == "1"
    page.click("#tab-checkins")
    page.wait_for_selector("#coverage tr[data-community='jinghong-01']")
    assert page.locator("li.due-row").count() == 2
    page.click("#lang")
    page.wait_for_selector("#status[data-live='1']", timeout=10_000)
    assert page.locator("h1").inner_text() == "Operator board: open alarms"
    assert page.locator("html").get_attribute("lang") == "en"
    assert "SOS call" in page.locator("li.alarm").first.inner_text()


def test_operator_takes_an_sos_from_the_board_to_resolved(
    anju: Anju, mosquitto: Mosquitto, page: Any
) -> None:
    sign_in(page, anju.url)
    page.on("dialog", lambda dialog: dialog.accept())
    publisher = Publisher(mosquitto.port, "browser-pub")
    try:
        alarm = sos_arrives(anju, publisher, page)
        open_detail(page, alarm)
        call_dispatch_resolve(anju, page, alarm)
        homes_checkins_and_english(page)
    finally:
        publisher.close()
