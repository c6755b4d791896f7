"""The alarm lifecycle (pure domain): transitions with actor and time, outcomes, incidents."""

from __future__ import annotations

import pytest

from domain.alarms import (
    AlarmState,
    Detection,
    LifecycleError,
    Outcome,
    Severity,
    accepted_by,
    open_alarm,
    outcome_of,
    related,
    resolve_note,
    transition,
)


def test_full_path_keeps_actor_and_time_of_every_change() -> None:
    a = open_alarm("a1", Detection("h1", "fall", Severity.CRITICAL, 0), 1_000)
    transition(a, AlarmState.NOTIFIED, "system", 1_200, "sms fam1")
    transition(a, AlarmState.ACCEPTED, "family:fam1", 30_000)
    assert accepted_by(a) == "family:fam1"
    transition(a, AlarmState.IN_PROGRESS, "family:fam1", 40_000, "on the way")
    transition(a, AlarmState.RESOLVED, "user:op1", 900_000, resolve_note(Outcome.VISIT, "bruise"))
    assert [(c.state, c.actor, c.at_ms) for c in a.history] == [
        (AlarmState.RAISED, "system", 1_000),
        (AlarmState.NOTIFIED, "system", 1_200),
        (AlarmState.ACCEPTED, "family:fam1", 30_000),
        (AlarmState.IN_PROGRESS, "family:fam1", 40_000),
        (AlarmState.RESOLVED, "user:op1", 900_000),
    ]
    assert outcome_of(a) is Outcome.VISIT
    assert not a.is_open and accepted_by(a) is None


def test_closed_alarms_do_not_move_and_skipping_is_refused() -> None:
    a = open_alarm("a1", Detection("h1", "sos", Severity.CRITICAL, 0), 0)
    with pytest.raises(LifecycleError):
        transition(a, AlarmState.IN_PROGRESS, "user:op1", 1)  # not accepted yet
    transition(a, AlarmState.RESOLVED, "user:op1", 2, "false_alarm")
    for state in AlarmState:
        with pytest.raises(LifecycleError):
            transition(a, state, "user:op1", 3)


def test_only_the_resident_cancels() -> None:
    a = open_alarm("a1", Detection("h1", "fall", Severity.CRITICAL, 0), 0)
    with pytest.raises(LifecycleError):
        transition(a, AlarmState.CANCELLED, "user:op1", 1)
    transition(a, AlarmState.CANCELLED, "resident", 1, "pressed I'm OK")
    assert a.state is AlarmState.CANCELLED and outcome_of(a) is None


def test_a_drop_gives_the_alarm_back() -> None:
    a = open_alarm("a1", Detection("h1", "sos", Severity.CRITICAL, 0), 0)
    transition(a, AlarmState.ACCEPTED, "user:op1", 10)
    transition(a, AlarmState.NOTIFIED, "user:op1", 20, "dropped: line busy")
    assert accepted_by(a) is None
    transition(a, AlarmState.ACCEPTED, "user:op2", 30)
    assert accepted_by(a) == "user:op2"


def test_related_alarms() -> None:
    fall = open_alarm("a1", Detection("h1", "fall", Severity.CRITICAL, 0), 0)
    still = open_alarm("a2", Detection("h1", "inactivity", Severity.MAJOR, 0), 600_000)
    elsewhere = open_alarm("a3", Detection("h2", "inactivity", Severity.MAJOR, 0), 600_000)
    later = open_alarm("a4", Detection("h1", "inactivity", Severity.MAJOR, 0), 3 * 3600_000)
    battery = open_alarm("a5", Detection("h1", "battery_low", Severity.TECHNICAL, 0), 1)
    assert related(fall, still)
    assert not related(fall, elsewhere)
    assert not related(fall, later)
    assert not related(fall, battery)
