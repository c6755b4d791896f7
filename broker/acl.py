"""Who may publish and subscribe to what on Anju's broker: the access rules, as data.

Every MQTT account Anju issues has one role named after it, and the role's ACL says exactly
what that account may do. The broker denies whatever no rule allows (publish and subscribe),
so an account with no rules (a device not yet claimed) may connect but do nothing.

- device `dev:<id>`: publish its own topics (from its model's patterns, filled with its home
  and id), subscribe to its own command topic(s) only;
- home gateway `gw:<home>`: publish for the devices of its home only (`anju/v1/<home>/+/+`:
  the gateway's own status and every device it relays) and receive their commands;
- Anju's service account (ingest): read everything, publish commands, read `$SYS`;
- Anju's admin account: the dynamic security plugin's control topic, nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from domain.topics import PREFIX, UPLINK_CHANNELS

CONTROL_TOPIC = "$CONTROL/dynamic-security/v1"
SEND = "publishClientSend"
RECEIVE = "publishClientReceive"
SUBSCRIBE_LITERAL = "subscribeLiteral"
SUBSCRIBE_PATTERN = "subscribePattern"


class AccountKind(StrEnum):
    DEVICE = "device"
    GATEWAY = "gateway"
    SERVICE = "service"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True, order=True)
class Acl:
    acltype: str
    topic: str
    allow: bool = True
    priority: int = 0

    def as_dict(self) -> dict[str, str | bool | int]:
        return {
            "acltype": self.acltype,
            "topic": self.topic,
            "allow": self.allow,
            "priority": self.priority,
        }


def device_username(device_id: str) -> str:
    return f"dev:{device_id}"


def gateway_username(home_id: str) -> str:
    return f"gw:{home_id}"


def contract_publish_topics(home_id: str, device_id: str) -> list[str]:
    """The device contract's uplink topics of one device (models without their own topic)."""
    return [f"{PREFIX}/{home_id}/{device_id}/{ch}" for ch in sorted(UPLINK_CHANNELS)]


def contract_subscribe_topics(home_id: str, device_id: str) -> list[str]:
    return [f"{PREFIX}/{home_id}/{device_id}/cmd"]


def device_acls(publish: Iterable[str], subscribe: Iterable[str]) -> tuple[Acl, ...]:
    """Exactly these topics: a device may not subscribe with wildcards (literal match)."""
    rules = {Acl(SEND, t) for t in publish} | {Acl(SUBSCRIBE_LITERAL, t) for t in subscribe}
    return tuple(sorted(rules))


def gateway_acls(home_id: str) -> tuple[Acl, ...]:
    home = f"{PREFIX}/{home_id}"
    return (
        Acl(SEND, f"{home}/+/+"),
        Acl(SUBSCRIBE_PATTERN, f"{home}/+/cmd"),
    )


def service_acls() -> tuple[Acl, ...]:
    """`#` does not match `$` topics (MQTT 4.7.2), so this grants nothing on `$CONTROL`."""
    return (
        Acl(SEND, "#"),
        Acl(SUBSCRIBE_PATTERN, "#"),
        Acl(SUBSCRIBE_PATTERN, "$SYS/#"),
        Acl(RECEIVE, "$SYS/#"),
    )


def admin_acls() -> tuple[Acl, ...]:
    return (
        Acl(SEND, f"{CONTROL_TOPIC}/#"),
        Acl(RECEIVE, f"{CONTROL_TOPIC}/#"),
        Acl(SUBSCRIBE_PATTERN, f"{CONTROL_TOPIC}/#"),
        Acl(SUBSCRIBE_PATTERN, "$SYS/#"),
        Acl(RECEIVE, "$SYS/#"),
    )


#: what the broker does when no rule of a client's roles matches
DEFAULT_ACCESS = {
    "publishClientSend": False,
    "publishClientReceive": True,  # a client only receives what it was allowed to subscribe to
    "subscribe": False,
    "unsubscribe": True,
}
