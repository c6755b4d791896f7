"""The audit trail of one request: `read(principal, kind, ids)` writes who read what.

Routes call it once per request with the ids they returned; the address, user agent, method
and path come from the request itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.access import Principal
from domain.clock import Clock, now_ms
from stores.state.audit import AuditEvent, AuditStore

KINDS = frozenset(
    {"home", "resident", "alarm", "readings", "device", "checkin", "user", "contacts", "kpi"}
    | {"audit", "session", "token"}
)


class AuditTrail:
    def __init__(
        self,
        store: AuditStore,
        clock: Clock,
        *,
        method: str = "",
        path: str = "",
        ip: str = "",
        user_agent: str = "",
    ) -> None:
        self.store = store
        self.clock = clock
        self.method = method
        self.path = path
        self.ip = ip
        self.user_agent = user_agent

    def read(
        self, principal: Principal, kind: str, ids: Sequence[str], *, detail: str = ""
    ) -> None:
        """`principal` read personal data of `kind` with these ids (one call per request)."""
        self.record("read", kind, ids, detail=detail, **_actor(principal))

    def write(
        self, principal: Principal, kind: str, ids: Sequence[str], *, detail: str = ""
    ) -> None:
        """`principal` changed something of `kind` (users, tokens, ...)."""
        self.record("write", kind, ids, detail=detail, **_actor(principal))

    def record(
        self,
        action: str,
        kind: str,
        ids: Sequence[str],
        *,
        actor_id: str,
        actor_name: str,
        role: str,
        detail: str = "",
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown audit kind {kind!r}")
        self.store.add(
            AuditEvent(
                at_ms=now_ms(self.clock),
                actor_id=actor_id,
                actor_name=actor_name,
                role=role,
                action=action,
                kind=kind,
                subject_ids=tuple(ids),
                method=self.method,
                path=self.path,
                ip=self.ip,
                user_agent=self.user_agent,
                detail=detail,
            )
        )


def _actor(p: Principal) -> dict[str, str]:
    return {"actor_id": p.user_id, "actor_name": p.username, "role": p.role.value}
