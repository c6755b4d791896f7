"""amqtt authentication for the embedded demo broker: everyone may connect, sessions persist.

amqtt's own AnonymousAuthPlugin marks every session it lets in as anonymous, and amqtt drops an
anonymous session (its subscriptions and queued messages) as soon as the client disconnects, so
ingest's clean_session=False would mean nothing. This plugin lets everyone in without that mark.
Kept apart from embedded.py so that importing the broker runner does not import amqtt.
"""

from __future__ import annotations

from dataclasses import dataclass

from amqtt.plugins.base import BaseAuthPlugin
from amqtt.session import Session


class OpenAuthPlugin(BaseAuthPlugin):  # type: ignore[misc]
    async def authenticate(self, *, session: Session) -> bool | None:
        return True

    @dataclass
    class Config:
        """No options."""
