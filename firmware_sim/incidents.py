"""Things that go wrong, applied to a living home at a given time. Each returns nothing; the
ground truth (what alarm should follow, and by when) lives with the scenario."""

from __future__ import annotations

from domain import contract
from firmware_sim.life import HomeLife
from firmware_sim.routine import Segment

HOUR = 3600.0


def sos(life: HomeLife, t: float) -> None:
    life.press(t, contract.Sos)


def accidental_sos(life: HomeLife, t: float, cancel_after_s: float = 20.0) -> None:
    life.press(t, contract.Sos)
    life.engine.at(t + cancel_after_s, lambda now: life.press(now, contract.Cancel))


def fall(life: HomeLife, t: float, *, lie_s: float = 2 * HOUR, recover: bool = False) -> None:
    """A fall: the pendant (if worn) uploads the impact window; the resident stays down.

    `recover`: gets up after a couple of minutes and presses "I'm OK" (a fall that is fine).
    """
    original = list(life.plan)
    room = (
        life.place
        if life.place in ("bathroom", "kitchen", "bedroom", "living_room", "entrance")
        else "living_room"
    )
    if life.wearing():
        window, source = life.windows.fall(life.rng)
        life.engine.at(t + 0.5, lambda now: life.impact(now, window, source))
    down = 150.0 if recover else lie_s
    life._follow([Segment(t, t + down, room, "floor")], then=lambda now: life.resume(now, original))
    if recover:
        life.engine.at(t + down - 30.0, lambda now: life.press(now, contract.Cancel))
