"""Alarms sent upstream but not acknowledged in time: the line looks up but nothing comes back.

A link that dies without a TCP reset, or a broker that hangs, keeps the gateway "connected" for up
to 1.5 x keepalive. An alarm must not wait that long for somebody to hear it: once it has been
unacknowledged for `timeout_s`, it goes to the local fallback as well (once). Pure, on a clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gateway.fallback import AlarmNotice


@dataclass
class AlarmWatch:
    timeout_s: float
    _pending: dict[int, tuple[float, AlarmNotice]] = field(default_factory=dict)

    def sent(self, row_id: int, notice: AlarmNotice, now: float) -> None:
        self._pending.setdefault(row_id, (now, notice))

    def acked(self, row_id: int) -> None:
        self._pending.pop(row_id, None)

    def overdue(self, now: float) -> list[AlarmNotice]:
        late = [rid for rid, (at, _) in self._pending.items() if now - at >= self.timeout_s]
        return [self._pending.pop(rid)[1] for rid in late]
