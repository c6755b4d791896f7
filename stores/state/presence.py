"""Keeps `home_presence.last_activity_ms` (the tiles' "last sign of life") from the live stream.

Shaped like a detector so the registry hands it every accepted message in-process; it raises
nothing. Signs of life are a motion sensor seeing movement, a door opening, a bed mat sensing
someone, a button pressed by a hand (SOS, "I'm OK"). The pendant's own readings are left out: it
can lie on a table. Homes are written in one transaction
at most every `flush_s` seconds, so a busy stream costs one small write per interval.
"""

from __future__ import annotations

import logging
import threading

from domain import contract
from domain.alarms import Detection
from domain.decode import Message
from domain.model import Device
from stores.state.records import BoardStore

log = logging.getLogger(__name__)


def is_sign_of_life(body: object) -> bool:
    if isinstance(body, contract.Sos | contract.Cancel):
        return True
    if isinstance(body, contract.Motion | contract.Bed):
        return body.state is True
    return isinstance(body, contract.Door) and body.state == "open"


class PresenceRecorder:
    name = "presence"

    def __init__(self, board: BoardStore, *, flush_s: float = 5.0) -> None:
        self.board = board
        self.flush_ms = int(flush_s * 1000)
        self._pending: dict[str, int] = {}
        self._lock = threading.Lock()
        self._flushed_ms = 0

    def on_message(self, message: Message, device: Device, now_ms: int) -> list[Detection]:
        body = message.body
        if is_sign_of_life(body):
            ts = min(int(getattr(body, "ts", now_ms)), now_ms)
            with self._lock:
                if ts > self._pending.get(device.home_id, 0):
                    self._pending[device.home_id] = ts
        return []

    def tick(self, now_ms: int) -> list[Detection]:
        if now_ms - self._flushed_ms >= self.flush_ms:
            self.flush(now_ms)
        return []

    def flush(self, now_ms: int) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
        self._flushed_ms = now_ms
        if not pending:
            return
        try:
            self.board.note_activity_many(pending, now_ms)
        except Exception:  # the database is down: keep the newest values for the next try
            log.exception("could not save last activity of %d homes", len(pending))
            with self._lock:
                for home, ts in pending.items():
                    self._pending[home] = max(ts, self._pending.get(home, 0))
