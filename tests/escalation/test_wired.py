"""The wired process escalates for real: an SOS over Mosquitto reaches the family's webhook
(HMAC-signed) and SMS provider; the one-tap link in the SMS accepts it; the KPI API counts it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from alerts.channels.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from alerts.escalation.contacts import Contact
from alerts.escalation.policy import Role
from anju.settings import Settings
from anju.wiring import Anju, build
from broker.mosquitto import Mosquitto, free_port
from domain.access import Role as UserRole
from domain.alarms import AlarmState
from tests.channels.receivers import HttpReceiver, http_receiver
from tests.e2e.helpers import Publisher, provision
from tests.web.auth_support import add_user, token_for

HOOK_SECRET = "wired-webhook-secret"


@pytest.fixture
def rx() -> Iterator[HttpReceiver]:
    with http_receiver() as receiver:
        yield receiver


@pytest.fixture
def anju(mosquitto: Mosquitto, tmp_path: Path, rx: HttpReceiver) -> Iterator[Anju]:
    settings = Settings(
        data_dir=tmp_path / "data",
        mqtt_port=mosquitto.port,
        http_port=free_port(),
        mqtt_client_id="esc-ingest",
        webhook_secret=HOOK_SECRET,
        sms_provider_url=rx.url + "/provider",
        sms_provider_token="tok",
    )
    app = build(settings)
    provision(app.state_store, "h1")
    assert app.escalation is not None
    family = {"webhook": rx.url + "/fam1", "sms": "+86139"}
    centre = {"webhook": rx.url + "/centre"}
    for c in [
        Contact("fam1", "岩温", Role.FAMILY, "h1", addresses=family),
        Contact("centre", "呼叫中心", Role.CALL_CENTRE, "jinghong-01", addresses=centre),
    ]:
        app.escalation.store.save_contact(c.contact_id, c.scope, c.to_json())
    app.start()
    yield app
    app.stop()


def state_of(anju: Anju, alarm_id: str) -> AlarmState | None:
    alarm = anju.alarms.get(alarm_id)
    return None if alarm is None else alarm.state


def test_sos_is_escalated_and_taken_with_the_one_tap_link(
    anju: Anju, mosquitto: Mosquitto, rx: HttpReceiver
) -> None:
    button = anju.state_store.get_device("h1-sos")
    assert button is not None
    publisher = Publisher(mosquitto.port, "esc-pub")
    try:
        publisher.sos(button, seq=1)
        hits = rx.wait(3, timeout_s=10)
    finally:
        publisher.close()
    assert {h.path for h in hits} == {"/fam1", "/centre", "/provider/sms"}
    hook = next(h for h in hits if h.path == "/fam1")
    assert verify(
        HOOK_SECRET,
        hook.headers[TIMESTAMP_HEADER],
        hook.body,
        hook.headers[SIGNATURE_HEADER],
        now_s=time.time(),
    )
    alarm_id = hook.json()["alarm_id"]
    deadline = time.monotonic() + 5
    while state_of(anju, alarm_id) is AlarmState.RAISED and time.monotonic() < deadline:
        time.sleep(0.02)
    assert state_of(anju, alarm_id) is AlarmState.NOTIFIED

    sms = next(h for h in hits if h.path == "/provider/sms").json()
    link = next(w for w in sms["text"].split() if "/l/" in w)
    assert link.startswith(anju.url + "/l/")
    with httpx.Client(timeout=5) as client:
        page = client.get(link)
        assert page.status_code == 200 and "我来处理" in page.text
        assert state_of(anju, alarm_id) is AlarmState.NOTIFIED
        taken = client.post(link)
        assert taken.status_code == 200
        again = client.post(link)
        assert again.status_code == 409
        forged = client.get(link[:-3] + "abc")
        assert forged.status_code == 403
        alarm = anju.alarms.get(alarm_id)
        assert alarm is not None and alarm.state is AlarmState.ACCEPTED
        assert alarm.history[-1].actor == "family:fam1"

        deadline = time.monotonic() + 5
        esc = anju.escalation.store.get(alarm_id)  # type: ignore[union-attr]
        while esc is not None and esc.active and time.monotonic() < deadline:
            time.sleep(0.02)
            esc = anju.escalation.store.get(alarm_id)  # type: ignore[union-attr]
        assert esc is not None and not esc.active and esc.stop_reason == "accepted"

        admin = token_for(anju, add_user(anju, UserRole.ADMIN))
        told = client.get(f"{anju.url}/api/alarms/{alarm_id}/escalation", headers=admin).json()
        kpi = client.get(anju.url + "/api/kpi", params={"hours": 1}, headers=admin).json()
    assert told["active"] is False and told["stop_reason"] == "accepted"
    assert {(d["contact_id"], d["channel"], d["status"]) for d in told["deliveries"]} == {
        ("fam1", "webhook", "delivered"),
        ("fam1", "sms", "delivered"),
        ("centre", "webhook", "delivered"),
    }
    assert [t["status"] for t in told["timers"] if t["round"] == 0] == [
        "fired",
        "cancelled",
        "cancelled",
    ]
    assert kpi["all"]["taken"] == 1
    assert kpi["all"]["share_60s"] == 1.0
    assert "jinghong-01" in kpi["by_community"]
