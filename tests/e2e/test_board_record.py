"""Editing the health record on the board in a real browser (Chromium through Playwright): op1
opens an alarm's detail, edits the record in place (a condition, a medication, a family member),
an invalid phone shows the server's rule beside the form without losing it, the fixed record is
saved, shown, stored and still there after a reload; Cancel changes nothing; the English page
has English labels. The app and browser fixtures are test_board_browser.py's.

Set ANJU_SCREENSHOT_RECORD=docs/img/board-record.png to keep a picture of the form with its error.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from anju.wiring import Anju
from broker.mosquitto import Mosquitto
from domain.record import ResidentRecord
from stores.state.records import BoardStore
from stores.state.sql import SqlStateStore
from tests.e2e import test_board_browser as board
from tests.e2e.helpers import Publisher

anju = board.anju  # the app with h1 (景洪市, resident 玉罕, a record), h2 and operator op1
page = board.page


def stored(app: Anju) -> ResidentRecord:
    store = app.state_store
    assert isinstance(store, SqlStateStore)
    record = BoardStore(store.engine, schema=store.schema).get_record("h1-r")
    assert record is not None
    return record


def raise_sos(app: Anju, broker: Mosquitto, page: Any) -> str:
    device = app.state_store.get_device("h1-sos")
    assert device is not None
    publisher = Publisher(broker.port, "record-pub")
    try:
        publisher.sos(device, seq=1)
        page.wait_for_selector("li.alarm", timeout=5_000)
    finally:
        publisher.close()
    alarm = app.state_store.find_open_alarm("h1", "sos")
    assert alarm is not None
    return alarm.alarm_id


def open_record(page: Any, alarm_id: str) -> Any:
    page.locator(f"li[data-alarm-id='{alarm_id}'] button.details").click()
    page.wait_for_selector(f"#detail[data-alarm-id='{alarm_id}'] .record", timeout=5_000)
    page.wait_for_selector("#detail .record-edit:visible", timeout=5_000)  # after /api/me
    return page.locator("#detail .record")


def cancel_changes_nothing(page: Any, record: Any) -> None:
    before = record.inner_text()
    record.locator(".record-edit").click()
    record.locator("textarea[name=conditions]").fill("不该保存")
    record.locator(".record-cancel").click()
    assert record.locator("form").count() == 0
    assert record.inner_text() == before


def edit_with_a_bad_phone_then_fix(anju: Anju, page: Any, record: Any) -> None:
    record.locator(".record-edit").click()
    form = record.locator("form.record-form")
    assert form.locator("select[name=household]").input_value() == "alone"
    assert form.locator("textarea[name=conditions]").input_value() == "高血压"
    form.locator("textarea[name=conditions]").fill("高血压\n糖尿病")
    form.locator("textarea[name=medication]").fill("氨氯地平 5mg\n二甲双胍 0.5g")
    form.locator("select[name=self_care]").select_option("dependent")
    form.locator(".member-add").click()
    member = form.locator(".member").nth(1)
    member.locator("input[name=name]").fill("岩温")
    member.locator("input[name=relation]").fill("儿子")
    member.locator("input[name=phone]").fill("139-abc")
    member.locator("input[name=lives_nearby]").check()
    form.locator(".record-save").click()

    error = form.locator(".record-error")
    error.wait_for(state="visible", timeout=5_000)
    if shot := os.environ.get("ANJU_SCREENSHOT_RECORD"):  # docs/img/board-record.png
        Path(shot).parent.mkdir(parents=True, exist_ok=True)
        record.screenshot(path=shot)
    assert error.inner_text() == "未保存：家庭成员 2 · 电话: 只能包含数字、空格和 + - ( )"
    assert member.locator("input[name=phone]").get_attribute("aria-invalid") == "true"
    # nothing was lost, nothing was stored
    assert form.locator("textarea[name=medication]").input_value() == "氨氯地平 5mg\n二甲双胍 0.5g"
    assert member.locator("input[name=name]").input_value() == "岩温"
    assert stored(anju).conditions == ("高血压",)

    member.locator("input[name=phone]").fill("139 0000 2222")
    form.locator(".record-save").click()
    form.wait_for(state="detached", timeout=5_000)
    text = record.inner_text()
    shown = ("糖尿病", "二甲双胍 0.5g", "不能自理", "岩温（儿子）139 0000 2222 · 住在附近", "op1")
    for expected in shown:
        assert expected in text, expected
    after = stored(anju)
    assert after.conditions == ("高血压", "糖尿病")
    assert after.medication == ("氨氯地平 5mg", "二甲双胍 0.5g")
    assert [(f.name, f.phone, f.lives_nearby) for f in after.family] == [
        ("岩香", "13800001111", False),
        ("岩温", "139 0000 2222", True),
    ]
    assert after.updated_by == "user:op1"


def test_operator_edits_the_health_record_in_the_detail_panel(
    anju: Anju, mosquitto: Mosquitto, page: Any
) -> None:
    board.sign_in(page, anju.url)
    alarm_id = raise_sos(anju, mosquitto, page)
    record = open_record(page, alarm_id)
    cancel_changes_nothing(page, record)
    edit_with_a_bad_phone_then_fix(anju, page, record)

    page.reload()
    page.wait_for_selector(f"li[data-alarm-id='{alarm_id}']", timeout=10_000)
    text = open_record(page, alarm_id).inner_text()
    for expected in ("糖尿病", "二甲双胍 0.5g", "岩温（儿子）139 0000 2222"):
        assert expected in text, expected

    page.goto(f"{anju.url}/?lang=en")
    page.wait_for_selector(f"li[data-alarm-id='{alarm_id}']", timeout=10_000)
    record = open_record(page, alarm_id)
    assert record.locator(".record-edit").inner_text() == "Edit record"
    assert "Household" in record.inner_text() and "dependent" in record.inner_text()
    record.locator(".record-edit").click()
    form = record.locator("form.record-form")
    labels = form.inner_text()
    for expected in ("Self-care", "Medication (one per line)", "Family members", "Phone"):
        assert expected in labels, expected
    assert form.locator(".record-save").inner_text() == "Save record"
    assert form.locator(".member-add").inner_text() == "Add family member"
    form.locator("input[name=language]").fill("x")
    form.locator(".record-save").click()
    error = form.locator(".record-error")
    error.wait_for(state="visible", timeout=5_000)
    assert error.inner_text() == "Not saved: Language: too short (at least 2 characters)"

    # another operator saves while this form is open: this save is refused, the other one stands
    form.locator("input[name=language]").fill("zh-CN")
    other = stored(anju)
    store = anju.state_store
    assert isinstance(store, SqlStateStore)
    changed = ResidentRecord(
        "h1-r", conditions=("冠心病",), updated_ms=other.updated_ms + 5, updated_by="user:op2"
    )
    BoardStore(store.engine, schema=store.schema).save_record(changed)
    form.locator(".record-save").click()
    page.locator(".record-error:has-text('someone changed')").wait_for(timeout=5_000)
    assert error.inner_text().startswith("Not saved: someone changed this record")
    assert stored(anju).conditions == ("冠心病",)
