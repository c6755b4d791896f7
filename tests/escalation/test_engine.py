"""The engine climbs a policy on the clock until a person takes charge (real stores, real HTTP)."""

from __future__ import annotations

from alerts.escalation.engine import EscalationEngine
from alerts.escalation.policy import Policy, PolicyBook, Role, Stage
from domain.alarms import AlarmState, Severity
from domain.model import Resident
from tests.escalation.conftest import T0, Rig


def test_critical_climbs_family_and_centre_then_supervisor_then_120(any_rig: Rig) -> None:
    rig = any_rig
    alarm_id = rig.raise_alarm("sos", Severity.CRITICAL)  # stage 0 fires as it starts
    assert rig.at(0) == 0
    assert rig.esc.timers(alarm_id)[0][1] == "fired"
    assert rig.told(alarm_id, 0) == {"fam1", "fam2", "centre"}
    assert rig.service.get(alarm_id).state is AlarmState.NOTIFIED  # type: ignore[union-attr]
    assert rig.at(59.9) == 0
    assert rig.at(60) == 1
    assert rig.told(alarm_id, 1) == {"sup"}
    rig.at(239)
    assert "e120" not in rig.told(alarm_id)
    rig.at(240)  # lives alone (one resident): 120 after 4 minutes, by voice, with the address
    [call] = [d for d in rig.delivered(alarm_id) if d.contact_id == "e120"]
    assert call.channel == "voice"
    assert "景洪市 曼听路 8 号" in call.message["text"]
    assert "uri.amap.com/marker?position=100.797800,22.006900" in call.message["text"]
    [hit] = [h for h in rig.rx.hits if h.path == "/provider/voice"]
    assert hit.json()["to"] == "120"


def test_acceptance_stops_the_climb_and_unsent_messages(any_rig: Rig) -> None:
    rig = any_rig
    alarm_id = rig.raise_alarm("fall", Severity.CRITICAL)
    rig.at(0)
    rig.clock.set(T0 + 30)
    rig.service.accept(alarm_id, "user:op1")
    rig.engine.on_change("accepted", alarm_id)
    for s in (60, 120, 240, 600):
        assert rig.at(s) == 0
    assert rig.told(alarm_id) == {"fam1", "fam2", "centre"}
    timers = rig.esc.timers(alarm_id)
    states = sorted((t.stage, t.round, status) for t, status, _f in timers)
    assert states == [
        (0, 0, "fired"),
        (0, 1, "cancelled"),
        (1, 0, "cancelled"),
        (2, 0, "cancelled"),
    ]


def test_renotify_until_accepted(rig: Rig) -> None:
    alarm_id = rig.raise_alarm("sos", Severity.CRITICAL)
    rig.at(0)
    rig.at(60)
    rig.at(120)  # stage 0 round 1
    rounds = [
        (d.stage, d.round, d.contact_id) for d in rig.delivered(alarm_id) if d.channel == "webhook"
    ]
    assert (0, 1, "fam1") in rounds and (0, 1, "centre") in rounds
    reminder = next(d for d in rig.delivered(alarm_id) if d.round == 1 and d.contact_id == "fam1")
    assert "第2次提醒" in reminder.message["text"]
    rig.service.accept(alarm_id, "family:fam1")
    rig.engine.on_change("accepted", alarm_id)
    before = len(rig.delivered(alarm_id))
    rig.at(180)
    rig.at(240)
    assert len(rig.delivered(alarm_id)) == before


def test_a_dropped_alarm_climbs_again_from_the_first_stage(rig: Rig) -> None:
    alarm_id = rig.raise_alarm("sos", Severity.CRITICAL)
    rig.at(0)
    rig.clock.set(T0 + 20)
    rig.service.accept(alarm_id, "user:op1")
    rig.engine.on_change("accepted", alarm_id)
    rig.clock.set(T0 + 100)
    rig.service.mark(alarm_id, AlarmState.NOTIFIED, "user:op1", "cannot reach her")
    rig.engine.on_change("dropped", alarm_id)
    rig.at(100)
    again = {d.contact_id for d in rig.delivered(alarm_id) if d.generation == 1}
    assert again == {"fam1", "fam2", "centre"}
    assert rig.at(159) == 0
    assert rig.at(160) == 1  # supervisor 60 s after the drop
    history = [(c.state, c.actor) for c in rig.service.get(alarm_id).history]  # type: ignore[union-attr]
    assert (AlarmState.NOTIFIED, "user:op1") in history


def test_technical_alarms_reach_operators_only(rig: Rig) -> None:
    # even a community policy that names the family is narrowed to operators
    book = PolicyBook("c1")
    book.policies[Severity.TECHNICAL] = Policy(
        "tech", (Stage("all", 0, (Role.FAMILY, Role.OPERATOR)),)
    )
    rig.esc.save_policies("c1", book.to_json())
    alarm_id = rig.raise_alarm("device_offline", Severity.TECHNICAL)
    rig.at(0)
    assert rig.told(alarm_id) == {"ops"}


def test_major_goes_to_family_first_and_the_centre_after_ten_minutes(rig: Rig) -> None:
    alarm_id = rig.raise_alarm("inactivity", Severity.MAJOR)
    rig.at(0)
    assert rig.told(alarm_id) == {"fam1", "fam2"}
    rig.at(599)
    assert "centre" not in rig.told(alarm_id)
    rig.at(600)
    assert "centre" in rig.told(alarm_id)


def test_dementia_override_calls_the_centre_at_once(rig: Rig) -> None:
    rig.state.upsert_resident(Resident("r1", "h1", "王秀英", birth_year=1950, risk=["dementia"]))
    alarm_id = rig.raise_alarm("wandering", Severity.MAJOR)
    rig.at(0)
    assert rig.told(alarm_id) == {"fam1", "fam2", "centre"}
    assert rig.esc.get(alarm_id).policy["name"] == "major_dementia"  # type: ignore[union-attr]


def test_80plus_gets_120_sooner(rig: Rig) -> None:
    rig.state.upsert_resident(Resident("r1", "h1", "王秀英", birth_year=1940))
    alarm_id = rig.raise_alarm("fall", Severity.CRITICAL)
    rig.at(0)
    rig.at(179)
    assert "e120" not in rig.told(alarm_id)
    rig.at(180)
    assert "e120" in rig.told(alarm_id)


def test_quiet_hours_hold_non_critical_notices_but_never_critical(rig: Rig) -> None:
    from alerts.escalation.contacts import Contact

    quiet = Contact(
        "fam1", "李明", Role.FAMILY, "h1", "zh-CN",
        {"webhook": rig.rx.url + "/fam1", "sms": "+86138"}, preferred=("webhook",),
        quiet=("16:00", "08:00"),
    )  # fmt: skip
    rig.esc.save_contact("fam1", "h1", quiet.to_json())
    minor = rig.raise_alarm("wellness", Severity.MINOR)  # 17:00 local: quiet
    critical = rig.raise_alarm("sos", Severity.CRITICAL)
    rig.at(0)
    assert "fam1" not in rig.told(minor)
    assert {d.channel for d in rig.delivered(critical) if d.contact_id == "fam1"} == {
        "webhook",
        "sms",
    }
    [held] = [d for d in rig.esc.deliveries(minor) if d.contact_id == "fam1"]
    assert held.channel == "webhook"  # preference: no SMS for a wellness notice
    assert held.next_ms == int((T0 + 15 * 3600) * 1000)  # 08:00 local next morning
    rig.at(15 * 3600)
    assert "fam1" in rig.told(minor)


def test_family_sms_carries_a_signed_link_and_who_else_was_told(rig: Rig) -> None:
    alarm_id = rig.raise_alarm("fall", Severity.CRITICAL)
    rig.at(0)
    [sms] = [d for d in rig.delivered(alarm_id) if d.channel == "sms"]
    link = sms.message["link"]
    assert link.startswith("https://anju.example/l/")
    claim = rig.links.verify(link.rsplit("/", 1)[1])
    assert (claim.alarm_id, claim.contact_id) == (alarm_id, "fam1")
    assert "Anna Li" in sms.message["told"] and "景洪呼叫中心" in sms.message["told"]
    en = next(d for d in rig.delivered(alarm_id) if d.contact_id == "fam2")
    assert en.message["subject"] == "[Anju] 王秀英: fall"
    centre = next(d for d in rig.delivered(alarm_id) if d.contact_id == "centre")
    assert centre.message["link"] is None  # operators take alarms on the board


def test_a_fall_then_inactivity_is_one_incident(rig: Rig) -> None:
    fall = rig.raise_alarm("fall", Severity.CRITICAL)
    rig.clock.set(T0 + 600)
    silence = rig.raise_alarm("inactivity", Severity.MAJOR)
    assert rig.engine.incident(silence) == [fall, silence]
    other = rig.raise_alarm("device_offline", Severity.TECHNICAL)
    assert rig.engine.incident(other) == [other]


def test_a_new_engine_on_the_same_store_fires_each_stage_once(any_rig: Rig) -> None:
    rig = any_rig
    alarm_id = rig.raise_alarm("sos", Severity.CRITICAL)
    rig.at(0)
    fresh = EscalationEngine(rig.esc, rig.state, rig.clock, links=rig.links)
    assert fresh.load() >= 2
    assert fresh.reconcile() == 0  # already escalating: not started twice
    rig.clock.set(T0 + 60)
    assert fresh.tick() == 1
    assert rig.engine.tick() == 0  # the old engine's copy of the timer is stale in the store
    rig.dispatcher.run_once()
    assert rig.told(alarm_id, 1) == {"sup"}
    keys = [d.key for d in rig.esc.deliveries(alarm_id)]
    assert len(keys) == len(set(keys))


def test_reconcile_picks_up_alarms_raised_while_the_engine_was_away(rig: Rig) -> None:
    from domain.alarms import Detection

    alarm = rig.service.on_detection(Detection("h1", "sos", Severity.CRITICAL, 0))  # no on_change
    assert rig.engine.reconcile() == 1
    rig.at(0)
    assert rig.told(alarm.alarm_id, 0) == {"fam1", "fam2", "centre"}


def test_the_resident_cancelling_stops_everything(rig: Rig) -> None:
    alarm_id = rig.raise_alarm("fall", Severity.CRITICAL)
    rig.at(0)
    rig.clock.set(T0 + 20)
    rig.service.mark(alarm_id, AlarmState.CANCELLED, "resident", "I'm OK button")
    rig.engine.on_change("cancelled", alarm_id)
    assert rig.at(60) == 0 and rig.at(240) == 0
    esc = rig.esc.get(alarm_id)
    assert esc is not None and esc.stop_reason == "cancelled"
    assert rig.service.open_counts()["critical"] == 0
