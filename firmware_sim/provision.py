"""Put simulated homes, residents and devices into Anju's state store, and count what is sent."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from firmware_sim.homes import SimHome


def provision(homes: list[SimHome], state_url: str, *, synchronous: str = "FULL") -> int:
    from stores.state.sql import SqlStateStore

    store = SqlStateStore(state_url, synchronous=synchronous)
    n = 0
    try:
        for h in homes:
            store.upsert_home(h.home)
            for r in h.residents:
                store.upsert_resident(r)
            for d in h.devices:
                store.upsert_device(d)
                n += 1
    finally:
        store.close()
    return n


@dataclass
class CountingSink:
    """A sink that only counts (dry runs and rhythm measurements keep no messages)."""

    by_channel: Counter[str] = field(default_factory=Counter)
    n_bytes: int = 0
    down: set[str] = field(default_factory=set)

    def publish(self, home_id: str, topic: str, payload: bytes, qos: int, retain: bool) -> None:
        self.by_channel[topic.rsplit("/", 1)[-1]] += 1
        self.n_bytes += len(payload)

    def home_down(self, home_id: str) -> None:
        self.down.add(home_id)

    def home_up(self, home_id: str) -> None:
        self.down.discard(home_id)

    @property
    def published(self) -> int:
        return sum(self.by_channel.values())
