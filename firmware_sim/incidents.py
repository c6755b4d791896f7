"""Things that go wrong, applied to a living home at simulated time `t`.

Each incident changes what the resident or a device does from `t` on; `INCIDENTS` says which
alarm Anju should raise for it (`expect`, any of these types), by when (`within_s`), and which
alarm types are acceptable but not required (`allow`). Nothing here knows about the broker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from domain import contract
from domain.model import DeviceKind
from firmware_sim.firmware import Firmware
from firmware_sim.life import HomeLife
from firmware_sim.routine import OUT, Segment

HOUR = 3600.0
INDOOR = ("bathroom", "kitchen", "bedroom", "living_room", "entrance")
SILENCE: tuple[str, ...] = (
    "inactivity",
    "no_activity",
    "no_activity_window",
    "not_up",
    "bathroom_too_long",
)
SILENCE += ("out_of_bed_night",)


def _room(life: HomeLife) -> str:
    return life.place if life.place in INDOOR else "living_room"


def _then_resume(life: HomeLife) -> Callable[[float], None]:
    original = list(life.plan)
    return lambda now: life.resume(now, original)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What actually happened, when it changes what Anju can know (kept in the ground truth)."""

    note: str
    expect: tuple[str, ...] | None = None  # None: the scenario's expectation stands
    within_s: float | None = None


def _dead(life: HomeLife) -> Outcome | None:
    if life.pendant.alive:
        return None
    return Outcome("pendant dead: the press was never sent", ())


def sos(life: HomeLife, t: float) -> Outcome | None:
    life.press(t, contract.Sos)
    return _dead(life)


def accidental_sos(life: HomeLife, t: float, cancel_after_s: float = 20.0) -> Outcome | None:
    life.press(t, contract.Sos)
    life.engine.at(t + cancel_after_s, lambda now: life.press(now, contract.Cancel))
    return _dead(life)


def fall(
    life: HomeLife,
    t: float,
    lie_s: float = 2 * HOUR,
    recover: bool = False,
    force_worn: bool = False,
) -> Outcome:
    """A fall; the pendant (if worn) uploads the impact window, the resident stays down.

    `recover`: up again after two and a half minutes, pressing "I'm OK". A fall without the
    pendant (in bed at night, in the shower) leaves only silence to tell; the truth says so.
    `force_worn`: the demo wants the impact on the board whatever the hour.
    """
    then = _then_resume(life)
    worn = (force_worn or life.wearing()) and life.pendant.alive
    quiet = () if recover or lie_s < 4 * HOUR else SILENCE  # up again soon: nothing to see
    outcome = Outcome(f"pendant not worn, down {lie_s / HOUR:.1f} h", quiet, 13 * HOUR)
    if worn:
        window, source = life.windows.fall(life.rng)
        life.engine.at(t + 0.5, lambda now: life.impact(now, window, source))
        outcome = Outcome(source)
    down = 150.0 if recover else lie_s
    life.follow([Segment(t, t + down, _room(life), "floor")], then=then)
    if recover:
        life.engine.at(t + down - 30.0, lambda now: life.press(now, contract.Cancel))
    return outcome


def dropped_pendant(life: HomeLife, t: float) -> None:
    """The pendant slips off and hits the floor; the resident picks it up and carries on."""
    window, source = life.windows.drop(life.rng)
    life.impact(t, window, source)


def collapse_unworn(life: HomeLife, t: float, lie_s: float = 14 * HOUR) -> None:
    """Collapses with the pendant on the table: no impact, no heart rate, only silence tells."""
    life.worn_today = False
    life.follow([Segment(t, t + lie_s, _room(life), "still")], then=_then_resume(life))


def bathroom_long(life: HomeLife, t: float, stay_s: float = 3 * HOUR) -> None:
    """Cannot get up from the toilet (no pendant worn in the bathroom)."""
    life.worn_today = False
    plan = [
        Segment(t, t + 30.0, "bathroom", "pass"),
        Segment(t + 30.0, t + stay_s, "bathroom", "stuck"),
    ]
    life.follow(plan, then=_then_resume(life))


def night_exit(life: HomeLife, t: float, away_s: float = 8 * HOUR) -> None:
    """Gets up at night, wanders, leaves through the front door and does not come back."""
    plan = [
        Segment(t, t + 120.0, "bedroom", "pass"),
        Segment(t + 120.0, t + 300.0, "living_room", "wander"),
        Segment(t + 300.0, t + 360.0, "entrance", "leave"),
        Segment(t + 360.0, t + 360.0 + away_s, OUT, "out"),
        Segment(t + 360.0 + away_s, t + 420.0 + away_s, "entrance", "return"),
    ]
    life.follow(plan, then=_then_resume(life))


def not_returning(life: HomeLife, t: float, away_s: float = 22 * HOUR) -> None:
    """Goes out in the day and is not back by night (lost, or in hospital unannounced)."""
    plan = [
        Segment(t, t + 60.0, "entrance", "leave"),
        Segment(t + 60.0, t + 60.0 + away_s, OUT, "out"),
        Segment(t + 60.0 + away_s, t + 120.0 + away_s, "entrance", "return"),
    ]
    life.follow(plan, then=_then_resume(life))


def forgotten_pan(life: HomeLife, t: float, hot_s: float = 2 * HOUR) -> None:
    """Starts cooking, forgets the pan and dozes off in the living room."""
    plan = [
        Segment(t, t + 300.0, "kitchen", "cook"),
        Segment(t + 300.0, t + hot_s, "living_room", "nap"),
    ]
    life.follow(plan, then=_then_resume(life))
    life.stove = (t + 60.0, t + hot_s, 55.0)


def dead_battery(life: HomeLife, t: float) -> None:
    """The pendant's battery fails: empty within four hours, and nobody charges it."""
    fw = life.pendant
    fw.battery = min(fw.battery or 100.0, 25.0)
    fw.drain_per_s = 25.0 / (4 * HOUR)
    life.no_charge = True
    life.charging = False


def _device(life: HomeLife, kind: str, room: str | None) -> Firmware:
    for fw in life.fw.values():
        d = fw.device
        if d.kind == DeviceKind(kind) and (
            room is None or (d.room is not None and d.room.value == room)
        ):
            return fw
    raise KeyError(f"{life.home.home_id}: no {kind} {room or ''}")


def device_offline(
    life: HomeLife,
    t: float,
    kind: str = "motion",
    room: str | None = "kitchen",
    duration_s: float = 6 * HOUR,
) -> None:
    """A device drops off the network (radio, interference) and comes back after a reboot."""
    fw = _device(life, kind, room)
    fw.alive = False
    life.engine.at(t + 2.5 * fw.spec.heartbeat_s, lambda _now: life.announce(fw, fw.alive))

    def back(now: float) -> None:
        fw.boot(now, life.rng)
        life.announce(fw, True)
        life.send(fw, fw.status(now, -70))

    life.engine.at(t + duration_s, back)


def reboot(life: HomeLife, t: float, kind: str = "pendant", room: str | None = None) -> None:
    """A firmware reboot: a few seconds away, then sequence numbers resume past the saved block."""
    fw = _device(life, kind, room)
    fw.alive = False

    def back(now: float) -> None:
        fw.boot(now, life.rng)
        life.send(fw, fw.status(now, -65))

    life.engine.at(t + 8.0, back)


def gateway_outage(life: HomeLife, t: float, duration_s: float = HOUR) -> None:
    """The home's internet goes down; the gateway stores and forwards when it is back."""
    life.gateway.lose_internet()
    life.engine.at(t + duration_s, lambda _now: life.gateway.regain_internet())


@dataclass(frozen=True, slots=True)
class IncidentSpec:
    run: Callable[..., Outcome | None]
    expect: tuple[str, ...]  # any of these alarm types counts as detected; empty: none expected
    within_s: float
    allow: tuple[str, ...] = ()  # raised alarms of these types are not false alarms


INCIDENTS: dict[str, IncidentSpec] = {
    "sos": IncidentSpec(sos, ("sos",), 60.0),
    "accidental_sos": IncidentSpec(accidental_sos, ("sos",), 60.0),
    "fall": IncidentSpec(fall, ("fall",), 300.0, ("fall_near_miss", *SILENCE)),
    "fall_recovered": IncidentSpec(fall, (), 300.0, ("fall", "fall_near_miss", *SILENCE)),
    "dropped_pendant": IncidentSpec(dropped_pendant, (), 300.0, ("fall_near_miss",)),
    "collapse_unworn": IncidentSpec(collapse_unworn, SILENCE, 13 * HOUR, ("pendant_not_worn",)),
    "bathroom_long": IncidentSpec(bathroom_long, ("bathroom_too_long",), 3 * HOUR, SILENCE),
    "night_exit": IncidentSpec(night_exit, ("door_at_night", "not_returned"), 30 * 60.0, SILENCE),
    "not_returning": IncidentSpec(not_returning, ("not_returned",), 20 * HOUR, SILENCE),
    "forgotten_pan": IncidentSpec(forgotten_pan, ("smoke", "kitchen_hot"), 45 * 60.0),
    "dead_battery": IncidentSpec(dead_battery, ("low_battery", "device_offline"), 12 * HOUR),
    "device_offline": IncidentSpec(device_offline, ("device_offline",), 4 * HOUR),
    "reboot": IncidentSpec(reboot, (), 600.0),
    "gateway_outage": IncidentSpec(
        gateway_outage, ("gateway_offline",), 15 * 60.0, ("device_offline",)
    ),
}


def apply(life: HomeLife, kind: str, t: float, params: dict[str, Any]) -> Outcome | None:
    result = INCIDENTS[kind].run(life, t, **params)
    return result if isinstance(result, Outcome) else None
