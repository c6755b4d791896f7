"""How a home's messages leave the home: its gateway, with store-and-forward during an outage.

A `Sink` is where messages finally go (an MQTT connection pool, or a list in tests). The home
gateway buffers while its internet is down and forwards everything, in order and with the
devices' original timestamps, when the link is back.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol


class Sink(Protocol):
    def publish(self, home_id: str, topic: str, payload: bytes, qos: int, retain: bool) -> None: ...

    def home_down(self, home_id: str) -> None:
        """The home's internet link died without a goodbye: the broker sends its Last Will."""
        ...

    def home_up(self, home_id: str) -> None: ...


@dataclass(slots=True)
class Sent:
    t: float
    home_id: str
    topic: str
    payload: bytes
    qos: int
    retain: bool


@dataclass
class MemorySink:
    """Keeps everything, stamped with the simulated time it left (set `clock`); for tests."""

    clock: Callable[[], float] = lambda: 0.0
    sent: list[Sent] = field(default_factory=list)
    down: set[str] = field(default_factory=set)

    def publish(self, home_id: str, topic: str, payload: bytes, qos: int, retain: bool) -> None:
        self.sent.append(Sent(self.clock(), home_id, topic, payload, qos, retain))

    def home_down(self, home_id: str) -> None:
        self.down.add(home_id)

    def home_up(self, home_id: str) -> None:
        self.down.discard(home_id)


class HomeGateway:
    BUFFER = 50_000  # messages a gateway keeps while offline (oldest dropped beyond)

    def __init__(self, home_id: str, sink: Sink) -> None:
        self.home_id = home_id
        self.sink = sink
        self.down = False
        self.buffer: deque[tuple[str, bytes, int, bool]] = deque(maxlen=self.BUFFER)
        self.dropped = 0

    def send(self, topic: str, payload: bytes, qos: int = 1, retain: bool = False) -> None:
        if self.down:
            if len(self.buffer) == self.BUFFER:
                self.dropped += 1
            self.buffer.append((topic, payload, qos, retain))
            return
        self.sink.publish(self.home_id, topic, payload, qos, retain)

    def lose_internet(self) -> None:
        self.down = True
        self.sink.home_down(self.home_id)

    def regain_internet(self) -> None:
        self.down = False
        self.sink.home_up(self.home_id)
        while self.buffer:
            topic, payload, qos, retain = self.buffer.popleft()
            self.sink.publish(self.home_id, topic, payload, qos, retain)
