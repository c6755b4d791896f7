"""What the escalation engine needs to know of a home and its community (address, residents'
risks, contacts, the community's policies), read from the stores and cached for a while."""

from __future__ import annotations

import time
from dataclasses import dataclass

from alerts.escalation.contacts import Contact
from alerts.escalation.policy import PolicyBook, risks_of
from alerts.texts import Place
from domain.clock import Clock
from domain.ports import StateStore
from stores.state.escalation import EscalationStore

DEFAULT_COMMUNITY = "default"


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
        at = time.monotonic()
        cached = self._homes.get(home_id)
        if cached is not None and at - cached[0] < self.cache_s:
            return cached[1]
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
        facts = HomeFacts(community, risks_of(residents, self.clock.now()), place, contacts)
        self._homes[home_id] = (at, facts)
        return facts

    def book(self, community_id: str) -> PolicyBook:
        """The community's policies (cached like homes; defaults when none are stored)."""
        at = time.monotonic()
        cached = self._books.get(community_id)
        if cached is not None and at - cached[0] < self.cache_s:
            return cached[1]
        body = self.store.load_policies(community_id)
        book = PolicyBook(community_id) if body is None else PolicyBook.from_json(body)
        self._books[community_id] = (at, book)
        return book
