"""The family page on a phone-sized Chromium (Playwright, 390x844): family1 signs in and reads
the day in plain words, a real SOS over MQTT appears live, one tap takes it ("由 您 处理"), and
when an operator takes the next one the page names the operator. Nothing scrolls sideways.

Set ANJU_SCREENSHOT_FAMILY=docs/img/family.png to keep a screenshot of the page.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from alerts.escalation.assembly import demo_contacts
from anju.wiring import Anju, build
from broker.mosquitto import Mosquitto
from domain.access import Role
from domain.alarms import Alarm
from domain.model import Device, DeviceKind, Room
from domain.points import FieldValue, Point
from tests.conftest import require
from tests.e2e.helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    Publisher,
    e2e_settings,
    provision,
    watch_policy,
)
from tests.web.auth_support import PASSWORD, add_user, auth_of, token_for

TZ = ZoneInfo("Asia/Shanghai")
ROOMS = (Room.BEDROOM, Room.BATHROOM, Room.KITCHEN, Room.LIVING_ROOM)
MOTION: dict[str, FieldValue] = {"type": "motion", "state": True}
DOOR: dict[str, FieldValue] = {"type": "door", "state": "open"}


def a_day(anju: Anju) -> None:
    """Sensors and a day so far in h1: up 07:10, breakfast, out and back (only what is past)."""
    store = anju.state_store
    for room in ROOMS:
        store.upsert_device(Device(f"h1-pir-{room.value}", "h1", DeviceKind.MOTION, "pir", room))
    store.upsert_device(Device("h1-door", "h1", DeviceKind.DOOR, "door", Room.ENTRANCE))
    now = datetime.now(TZ)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    plan: list[tuple[str, str, dict[str, FieldValue]]] = [
        ("07:10", "h1-pir-bedroom", MOTION),
        ("07:14", "h1-pir-bathroom", MOTION),
        *[(t, "h1-pir-kitchen", MOTION) for t in ("07:40", "07:47", "07:55", "08:05")],
        ("08:30", "h1-pir-living_room", MOTION),
        ("09:30", "h1-door", DOOR),
        ("11:15", "h1-door", DOOR),
        ("11:20", "h1-pir-living_room", MOTION),
    ]
    points = []
    for seq, (hhmm, device, fields) in enumerate(plan, start=1):
        h, m = (int(x) for x in hhmm.split(":"))
        moment = midnight + timedelta(hours=h, minutes=m)
        if moment < now:
            points.append(Point(int(moment.timestamp() * 1000), "h1", device, seq, "event", fields))
    anju.ts_store.write(points)


@pytest.fixture
def anju(mosquitto: Mosquitto, tmp_path: Path) -> Iterator[Anju]:
    settings = e2e_settings(mosquitto, tmp_path, "family-browser-ingest")
    app = build(settings)
    provision(app.state_store, "h1")
    a_day(app)
    add_user(app.app, Role.FAMILY, username="family1", residents=["h1-r"])
    auth_of(app.app).create_user(
        "op1", Role.OPERATOR, PASSWORD, display_name="值班员小李", communities=["jinghong-01"]
    )
    if app.escalation is not None:  # the community's centre, supervisor and 120 (log only)
        demo_contacts(app.escalation.store, app.state_store.list_homes())
    app.start()
    with httpx.Client(base_url=app.url, headers=token_for(app.app, "family1")) as me:
        mine = {
            "name": "女儿 玉香",
            "addresses": {"sms": "+86 138 0013 8000"},
            "preferred": ["sms"],
            "quiet": {"start": "22:30", "end": "07:00"},
        }
        assert me.put("/api/family/preferences", json=mine).status_code == 200
    yield app
    app.stop()


@pytest.fixture
def page(anju: Anju) -> Iterator[Any]:
    require(CHROMIUM.exists(), f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                has_touch=True, device_scale_factor=2,
            )  # fmt: skip
            family_page = context.new_page()
            refused = watch_policy(family_page)
            yield family_page
            assert refused == []  # every script, style, image and stream is allowed
        finally:
            browser.close()


def sign_in(anju: Anju, page: Any) -> None:
    page.goto(f"{anju.url}/family")
    assert "/login" in page.url
    page.fill("#username", "family1")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("body[data-loaded]", timeout=10_000)
    page.wait_for_selector("#live:not(.off):has-text('实时更新')", timeout=10_000)
    assert page.locator("#summary").inner_text().endswith("。")
    assert page.locator("#status").inner_text() in ("一切正常", "外出中", "休息中")
    assert page.locator("#no-open").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll


def operator_takes_the_next(anju: Anju, page: Any, publisher: Publisher, first: Alarm) -> str:
    """The operator closes the first SOS and accepts the next one; returns the new alarm id."""
    button = anju.state_store.get_device("h1-sos")
    assert button is not None
    with httpx.Client(base_url=anju.url, headers=token_for(anju.app, "op1")) as op:
        done = op.post(f"/api/alarms/{first.alarm_id}/resolve", json={"outcome": "helped_at_home"})
        assert done.status_code == 200, done.text
        page.wait_for_selector("#no-open:visible", timeout=5_000)
        publisher.sos(button, seq=2)
        page.wait_for_selector("#open-list li.open button.accept", timeout=5_000)
        second = anju.state_store.find_open_alarm("h1", "sos")
        assert second is not None and second.alarm_id != first.alarm_id
        assert op.post(f"/api/alarms/{second.alarm_id}/accept", json={}).status_code == 200
    return second.alarm_id


def test_family_sees_the_day_takes_an_sos_live_and_sees_the_operator(
    anju: Anju, mosquitto: Mosquitto, page: Any
) -> None:
    sign_in(anju, page)
    publisher = Publisher(mosquitto.port, "family-pub")
    button = anju.state_store.get_device("h1-sos")
    assert button is not None
    try:
        sent = time.perf_counter()
        publisher.sos(button, seq=1)
        page.wait_for_selector("#open-list li.open button.accept", timeout=5_000)
        took = time.perf_counter() - sent
        assert took < 2.0, f"the SOS took {took:.3f} s to reach the family page"
        assert "紧急呼叫" in page.locator("#open-list li.open").inner_text()
        assert page.locator("#status").inner_text() == "有警报"
        box = page.locator("button.accept").bounding_box()
        assert box is not None and box["height"] >= 48 and box["width"] >= 300  # thumb-sized
        if shot := os.environ.get("ANJU_SCREENSHOT_FAMILY"):
            Path(shot).parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=shot, full_page=True)

        page.locator("button.accept").tap()
        page.wait_for_selector("#open-list li.mine", timeout=5_000)
        assert "由 您 处理" in page.locator("#open-list li.mine").inner_text()
        assert "由 您 处理" in page.locator("#summary").inner_text()
        order = page.locator("#order").inner_text()
        assert "女儿 玉香（您）" in order and "呼叫中心" in order and "120" in order
        first = anju.state_store.find_open_alarm("h1", "sos")
        assert first is not None and first.history[-1].actor == "user:family1"

        second_id = operator_takes_the_next(anju, page, publisher, first)
        row = page.locator(f"#open-list li[data-id='{second_id}']")
        row.locator(".who:has-text('值班员小李')").wait_for(timeout=5_000)
        assert "由 值班员小李 处理" in row.inner_text()
        assert row.locator("button.accept").count() == 0
        history = page.locator("#history-list").inner_text()
        assert "已处理完毕" in history and "由 您 处理" in history  # who took it, before it closed
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        page.click("#lang")
        page.wait_for_selector("body[data-lang='en'][data-loaded]", timeout=10_000)
        row = page.locator(f"#open-list li[data-id='{second_id}']")
        row.wait_for(timeout=5_000)
        assert "handled by 值班员小李" in row.inner_text()
        page.set_viewport_size({"width": 360, "height": 740})  # the narrowest phones we support
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        publisher.close()
