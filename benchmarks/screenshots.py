"""The README's screenshots, refreshed from a running app with the demo's own homes:
`python -m benchmarks.screenshots [--out docs/img]` writes board.png (the operator board, alarms of
every kind, an SOS being handled with its detail panel open) and family.png (a phone: the
daughter's view of her mother's day and who is handling the SOS). Chinese UI; needs Chromium.

The alarms are raised through the alarm service at past times (a hand-moved clock), so their
answer clocks show real waiting times; the morning's room events go into the time-series store.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from alerts.escalation.assembly import demo_contacts
from anju.commands.demo import provision
from anju.commands.demo_board import seed_board
from anju.settings import Settings
from anju.wiring import Anju, build
from benchmarks.web import ARGS, CHROMIUM
from broker.mosquitto import free_port
from domain.access import Role
from domain.alarms import Detection, Severity
from domain.clock import ManualClock
from domain.model import DeviceKind
from domain.points import FieldValue, Point
from firmware_sim.demo import demo_homes
from stores.state.records import BoardStore

PASSWORD = "shot-Anju-2026"
OPERATOR = "值班员小李"
TZ = ZoneInfo("Asia/Shanghai")
# (home index, type, severity, minutes ago, evidence); home 0 is the family's mother
ALARMS: list[tuple[int, str, Severity, float, dict[str, Any]]] = [
    (0, "sos", Severity.CRITICAL, 2.5, {"room": "bedroom"}),
    (3, "fall", Severity.CRITICAL, 0.6, {"room": "bathroom"}),
    (5, "bathroom_too_long", Severity.MAJOR, 4.2, {"room": "bathroom"}),
    (7, "inactivity", Severity.MAJOR, 11.0, {"room": "living_room"}),
    (9, "door_at_night", Severity.MINOR, 26.0, {"room": "entrance"}),
    (11, "device_offline", Severity.TECHNICAL, 48.0, {}),
    (14, "battery_low", Severity.TECHNICAL, 95.0, {}),
]
DEVICE = {
    "bathroom_too_long": "pir-bathroom",
    "inactivity": "pir-living-room",
    "door_at_night": "door",
    "device_offline": "pir-kitchen",
    "battery_low": "door",
}
# the mother's morning: (HH:MM, room device suffix)
MORNING = [("06:50", "pir-bedroom"), ("06:58", "bed"), ("07:05", "pir-bathroom")]
MORNING += [(f"07:{m:02d}", "pir-kitchen") for m in (30, 36, 44, 52)]
MORNING += [("08:20", "pir-living-room"), ("09:10", "door"), ("10:40", "door")]
MORNING += [("10:45", "pir-living-room"), ("11:30", "pir-kitchen"), ("12:10", "pir-bedroom")]
MORNING += [("14:30", "pir-living-room"), ("17:40", "pir-kitchen"), ("18:05", "pir-kitchen")]
RECENT = [(45, "pir-living-room"), (30, "pir-kitchen"), (12, "pir-bathroom"), (5, "pir-bedroom")]


def seed(anju: Anju, clock: ManualClock, homes: int) -> str:
    """Demo homes, records, contacts, a morning of events, alarms; returns the SOS alarm id."""
    sim = demo_homes(homes, 1)
    provision(anju.state_store, sim)
    store = anju.state_store
    board = BoardStore(store.engine, schema=store.schema)  # type: ignore[attr-defined]
    residents = [r for h in sim for r in h.residents]
    seed_board(board, [h.home for h in sim], residents, int(time.time() * 1000))
    for i, resident in enumerate(residents):  # real-looking numbers for the demo's placeholder
        record = board.get_record(resident.resident_id)
        if record is not None:
            family = tuple(replace(f, phone=f"139 0691 {i:04d}") for f in record.family)
            board.save_record(replace(record, family=family))
    if anju.escalation is not None:
        demo_contacts(anju.escalation.store, [h.home for h in sim])
    write_morning(anju, sim[0].home_id)
    now = time.time()
    sos = ""
    for index, kind, severity, minutes, evidence in ALARMS:
        clock.set(now - minutes * 60)
        home = sim[index].home_id
        device = DEVICE.get(kind, "pendant")
        at = int(clock.now() * 1000)
        detection = Detection(home, kind, severity, at, f"{home}-{device}", evidence)
        alarm = anju.alarms.on_detection(detection)
        if index == 0:
            sos = alarm.alarm_id
    clock.set(now - 60)
    anju.alarms.accept(sos, "user:op1", "已联系老人，女儿正在赶去")
    clock.set(now)
    auth = anju.app.state.ctx.auth
    communities = sorted({h.home.community_id for h in sim})
    auth.create_user("op1", Role.OPERATOR, PASSWORD, display_name=OPERATOR, communities=communities)
    auth.create_user(
        "family1",
        Role.FAMILY,
        PASSWORD,
        display_name="女儿 玉香",
        residents=[residents[0].resident_id],
    )
    return sos


def write_morning(anju: Anju, home: str) -> None:
    """The day so far: the fixed hours already past, then the last hour's movements."""
    now = datetime.now(TZ)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    day = [(midnight + timedelta(hours=int(t[:2]), minutes=int(t[3:])), d) for t, d in MORNING]
    day = [(at, d) for at, d in day if at < now - timedelta(hours=1)]
    day += [
        (now - timedelta(minutes=m), d) for m, d in RECENT if now - timedelta(minutes=m) > midnight
    ]
    points = []
    for seq, (at, suffix) in enumerate(day, start=1):
        device = anju.state_store.get_device(f"{home}-{suffix}")
        assert device is not None, suffix
        body: dict[str, FieldValue] = {"type": "motion", "state": True}
        if device.kind is DeviceKind.DOOR:
            body = {"type": "door", "state": "open"}
        elif device.kind is DeviceKind.BED:
            body = {"type": "bed", "state": "out"}
        points.append(Point(int(at.timestamp() * 1000), home, device.device_id, seq, "event", body))
    anju.ts_store.write(points)


def sign_in(page: Any, url: str, username: str) -> None:
    page.goto(url)
    page.wait_for_url("**/login**")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


def shoot(anju: Anju, sos: str, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            desk = browser.new_context(
                viewport={"width": 1400, "height": 1480}, locale="zh-CN", timezone_id=str(TZ)
            )
            page = desk.new_page()
            sign_in(page, f"{anju.url}/", "op1")
            page.wait_for_selector("#status[data-live='1']", timeout=15_000)
            page.locator("li.alarm").nth(6).wait_for()  # at least 7
            page.locator(f"li[data-alarm-id='{sos}'] button.details").click()
            page.wait_for_selector(f"#detail[data-alarm-id='{sos}'] .devices", timeout=10_000)
            page.wait_for_selector("#chart svg rect.cell", timeout=10_000)
            page.wait_for_timeout(1500)
            page.screenshot(path=str(out / "board.png"))

            phone = browser.new_context(
                viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                has_touch=True, device_scale_factor=2, timezone_id=str(TZ),
            )  # fmt: skip
            page = phone.new_page()
            sign_in(page, f"{anju.url}/family", "family1")
            page.wait_for_selector("body[data-loaded]", timeout=15_000)
            page.wait_for_selector(f"#open-list li[data-id='{sos}'] .who", timeout=10_000)
            page.wait_for_timeout(1000)
            page.screenshot(path=str(out / "family.png"))  # what the phone shows
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path("docs/img"))
    parser.add_argument("--homes", type=int, default=24, help="demo homes (at least 15)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="anju-shots-") as tmp:
        clock = ManualClock(time.time())
        settings = Settings(data_dir=Path(tmp), http_port=free_port())
        anju = build(settings, clock=clock, detectors=[])
        sos = seed(anju, clock, max(15, args.homes))
        anju.web.start()
        try:
            shoot(anju, sos, args.out)
        finally:
            anju.web.stop()
            anju.ts_store.close()
            anju.state_store.close()
    print(f"wrote {args.out / 'board.png'} and {args.out / 'family.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
