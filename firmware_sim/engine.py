"""The simulated clock: a heap of timed callbacks, run as fast as possible or paced to a wall clock.

Accelerated runs never wait: time jumps from one scheduled event to the next and devices stamp
messages with that simulated time. Real-time runs (`speed` > 0) wait on the injected wall clock
until each event is due, `speed` simulated seconds per wall second.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass

from domain.clock import Clock

Action = Callable[[float], object]


@dataclass(slots=True)
class Pacer:
    """Maps simulated time to wall time: sim = sim_start + (wall - wall_start) * speed."""

    clock: Clock
    speed: float
    sim_start: float
    wall_start: float

    def wall_for(self, sim_t: float) -> float:
        return self.wall_start + (sim_t - self.sim_start) / self.speed

    def sim_now(self) -> float:
        return self.sim_start + (self.clock.now() - self.wall_start) * self.speed


class Engine:
    def __init__(self, start: float) -> None:
        self.now = start
        self.start = start
        self._heap: list[tuple[float, int, Action]] = []
        self._order = itertools.count()
        self.events_run = 0

    def at(self, t: float, action: Action) -> None:
        heapq.heappush(self._heap, (max(t, self.now), next(self._order), action))

    def after(self, delay: float, action: Action) -> None:
        self.at(self.now + delay, action)

    def next_time(self) -> float | None:
        return self._heap[0][0] if self._heap else None

    def __len__(self) -> int:
        return len(self._heap)

    def run_until(
        self,
        end: float,
        *,
        pacer: Pacer | None = None,
        stop: threading.Event | None = None,
        wait: Callable[[float], bool] | None = None,
        on_step: Callable[[float], None] | None = None,
    ) -> bool:
        """Run events due before `end`; False if `stop` was set.

        `wait(seconds)` returns True to stop."""
        heap = self._heap
        while heap and heap[0][0] < end:
            if stop is not None and stop.is_set():
                return False
            t = heap[0][0]
            if pacer is not None:
                delay = pacer.wall_for(t) - pacer.clock.now()
                if delay > 0:
                    waiter = wait or (stop.wait if stop is not None else _never_stop_sleep)
                    if waiter(min(delay, 0.5)):
                        return False
                    continue
            _, _, action = heapq.heappop(heap)
            self.now = t
            action(t)
            self.events_run += 1
            if on_step is not None:
                on_step(t)
        if pacer is not None:  # real time: the stretch ends when the wall clock says so
            waiter = wait or (stop.wait if stop is not None else _never_stop_sleep)
            while (delay := pacer.wall_for(end) - pacer.clock.now()) > 0:
                if waiter(min(delay, 0.5)):
                    return False
        self.now = max(self.now, end)
        return True


def _never_stop_sleep(seconds: float) -> bool:
    threading.Event().wait(seconds)
    return False
