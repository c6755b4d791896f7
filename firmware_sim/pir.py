"""A PIR's reports during one stay of the resident in its room, fired one at a time.

The sensor's own rules are applied when each report is due, across stays: no report within
PIR_BLIND_S of the previous one; "quiet" (state false) only PIR_CLEAR_S after the last report.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from domain import contract
from firmware_sim.firmware import Firmware
from firmware_sim.models import PIR_BLIND_S, PIR_CLEAR_S

if TYPE_CHECKING:
    from firmware_sim.life import HomeLife


class PirStream:
    """Scheduled one report at a time: a few heap entries per home, not hundreds."""

    __slots__ = ("events", "fw", "i", "life", "room")

    def __init__(
        self, life: HomeLife, room: str, fw: Firmware, events: list[tuple[float, bool]]
    ) -> None:
        self.life = life
        self.room = room
        self.fw = fw
        self.events = events
        self.i = 0

    def fire(self, now: float) -> None:
        if self.i >= len(self.events):
            return
        state = self.events[self.i][1]
        life = self.life
        last = life.pir_last.get(self.room, -math.inf)
        if state and now - last >= PIR_BLIND_S - 1e-6:
            life.send(self.fw, self.fw.event(now, contract.Motion, state=True))
            life.pir_last[self.room] = now
            life.pir_on[self.room] = True
        elif not state and life.pir_on.get(self.room) and now - last >= PIR_CLEAR_S - 1e-6:
            life.send(self.fw, self.fw.event(now, contract.Motion, state=False))
            life.pir_on[self.room] = False
        self.i += 1
        if self.i < len(self.events):
            life.engine.at(self.events[self.i][0], self.fire)

    def cancel(self, t: float) -> None:
        """No more movements from `t`; a PIR still saying "motion" clears as it would."""
        pending = self.i < len(self.events)
        self.events = self.events[: self.i]
        if self.life.pir_on.get(self.room):
            last = self.life.pir_last.get(self.room, t)
            self.events.append((max(t, last + PIR_CLEAR_S), False))
            if not pending:  # nothing scheduled any more: schedule the clear
                self.life.engine.at(self.events[-1][0], self.fire)
