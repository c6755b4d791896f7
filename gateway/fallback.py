"""Local fallback for critical alarms while the line to Anju is down.

The gateway keeps every alarm and delivers it when the line returns, but somebody nearby should
know now. A `Fallback` is told about each alarm that cannot go upstream: the siren fallback asks a
local device (a siren or smart speaker on the local broker) to sound and announce, the SMS fallback
sends a short message through a modem. Both are interfaces with real implementations for the
simulated parts: the siren is any device that obeys `announce` on its `cmd` topic (firmware_sim's
speaker, or the test's subscriber), the modem interface has a simulated modem that writes its
outbox to a file as a real modem would send it.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import msgspec

from domain.contract import SCHEMA_VERSION, Command
from domain.topics import topic

_TEXT = {
    "sos": ("紧急呼叫", "SOS pressed"),
    "fall": ("检测到跌倒", "fall detected"),
    "impact": ("检测到撞击", "impact detected"),
    "smoke_alarm": ("烟雾报警", "smoke alarm"),
}


@dataclass(frozen=True, slots=True)
class AlarmNotice:
    home_id: str
    device_id: str
    kind: str  # sos, fall, impact, smoke_alarm
    seq: int
    ts: int

    def text(self) -> str:
        zh, en = _TEXT.get(self.kind, (self.kind, self.kind))
        return f"安居: {zh} ({self.device_id}) / Anju: {en} ({self.device_id})"


class Fallback(Protocol):
    def alarm(self, notice: AlarmNotice) -> None: ...


class Publisher(Protocol):
    """The part of a paho client the siren needs."""

    def publish(self, topic: str, payload: bytes, qos: int = 0, retain: bool = False) -> object: ...


class SirenFallback:
    """Sound a local device: an `announce` command on its `cmd` topic via the local broker."""

    def __init__(self, local: Publisher, home_id: str, device_id: str) -> None:
        self._local = local
        self._topic = topic(home_id, device_id, "cmd")

    def alarm(self, notice: AlarmNotice) -> None:
        command = Command(
            v=SCHEMA_VERSION,
            id=f"fallback-{notice.device_id}-{notice.seq}"[:64],
            name="announce",
            args={"text": notice.text(), "alarm": notice.kind, "device": notice.device_id},
        )
        self._local.publish(self._topic, msgspec.json.encode(command), qos=1)


class Modem(Protocol):
    def send_sms(self, number: str, text: str) -> None: ...


class SimulatedModem:
    """A modem whose outbox is a JSON-lines file: one line per SMS as it would leave the modem."""

    def __init__(self, outbox: Path) -> None:
        self.outbox = outbox
        self._lock = threading.Lock()

    def send_sms(self, number: str, text: str) -> None:
        line = json.dumps({"to": number, "text": text, "at": time.time()}, ensure_ascii=False)
        with self._lock, self.outbox.open("a", encoding="utf-8") as out:
            out.write(line + "\n")

    def sent(self) -> list[dict[str, object]]:
        if not self.outbox.exists():
            return []
        lines = self.outbox.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line]


class SmsFallback:
    """Text the configured numbers (family, neighbour) through a modem."""

    def __init__(self, modem: Modem, numbers: list[str]) -> None:
        self._modem = modem
        self._numbers = numbers

    def alarm(self, notice: AlarmNotice) -> None:
        for number in self._numbers:
            self._modem.send_sms(number, notice.text())


class Fallbacks:
    """Each alarm once, to every configured fallback."""

    def __init__(self, targets: list[Fallback]) -> None:
        self._targets = targets
        self._done: set[tuple[str, int]] = set()

    def alarm(self, notice: AlarmNotice) -> bool:
        key = (notice.device_id, notice.seq)
        if key in self._done or not self._targets:
            return False
        self._done.add(key)
        if len(self._done) > 10_000:
            self._done = {key}
        for target in self._targets:
            target.alarm(notice)
        return True
