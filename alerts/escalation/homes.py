"""What the escalation engine needs to know of a home and its community (address, residents'
risks, contacts, the community's policies), read from the stores and cached for a while."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from alerts.escalation.contacts import Contact
from alerts.escalation.policy import PolicyBook, risks_of
from alerts.texts import Place
from domain.clock import Clock
from domain.ports import StateStore
from stores.state.escalation import EscalationStore

DEFAULT_COMMUNITY = "default"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class HomeFacts:
    community: str
    risks: set[str]
    place: Place
    contacts: list[Contact]


class HomeLookup:
    def __init__(
        self, store: EscalationStore, state: StateStore, clock: Clock, cache_s: float = 30.0
    ) -> None:
        self.store = store
        self.state = state
        self.clock = clock
        self.cache_s = cache_s
        self._homes: dict[str, tuple[float, HomeFacts]] = {}
        self._books: dict[str, tuple[float, PolicyBook]] = {}

    def home(self, home_id: str) -> HomeFacts:
        """Community, risks, address and contacts of a home, cached for `cache_s`."""
        return _cached(self._homes, home_id, self.cache_s, lambda: self._read_home(home_id))

    def book(self, community_id: str) -> PolicyBook:
        """The community's policies (cached like homes; defaults when none are stored)."""
        return _cached(
            self._books, community_id, self.cache_s, lambda: self._read_book(community_id)
        )

    def _read_home(self, home_id: str) -> HomeFacts:
        home = self.state.get_home(home_id)
        residents = self.state.list_residents(home_id)
        community = home.community_id if home is not None else DEFAULT_COMMUNITY
        place = Place(
            address=home.address if home else "",
            lat=home.lat if home else None,
            lon=home.lon if home else None,
            timezone=home.timezone if home else "Asia/Shanghai",
            residents=tuple(r.name for r in residents),
        )
        scopes = [home_id, community, "*"]
        contacts = [Contact.from_json(c) for c in self.store.contacts(scopes)]
        return HomeFacts(community, risks_of(residents, self.clock.now()), place, contacts)

    def _read_book(self, community_id: str) -> PolicyBook:
        body = self.store.load_policies(community_id)
        return PolicyBook(community_id) if body is None else PolicyBook.from_json(body)


def _cached(cache: dict[str, tuple[float, T]], key: str, ttl_s: float, read: Callable[[], T]) -> T:
    """`cache[key]` if it was read less than `ttl_s` ago, else `read()`, kept with that time."""
    at = time.monotonic()
    hit = cache.get(key)
    if hit is not None and at - hit[0] < ttl_s:
        return hit[1]
    value = read()
    cache[key] = (at, value)
    return value
