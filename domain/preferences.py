"""A family member's notification preferences: where to reach them, how, when, in which language.

Pure validation: `parse` turns what a person typed into `Preferences` or raises
`PreferenceError` with a message fit to show them. Critical alarms always use every channel
with an address, at any hour; `preferred` and `quiet` only shape non-critical notices.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

CHANNELS = ("sms", "voice", "email", "webhook")
LANGUAGES = ("zh-CN", "en")
_PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,22}[0-9]$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_URL = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^\s]*)?$")
_HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class PreferenceError(ValueError):
    """What was typed does not make valid preferences; the message says what to fix."""


@dataclass(frozen=True, slots=True)
class Preferences:
    name: str
    language: str = "zh-CN"
    addresses: Mapping[str, str] = field(default_factory=dict)  # channel -> phone, e-mail, url
    preferred: tuple[str, ...] = ()  # for non-critical notices; empty: every channel
    quiet: tuple[str, str] | None = None  # local "HH:MM" from, to (may wrap midnight)


def parse(
    name: str,
    language: str,
    addresses: Mapping[str, str],
    preferred: Sequence[str] = (),
    quiet: Sequence[str] | None = None,
) -> Preferences:
    clean_name = name.strip()
    if not clean_name or len(clean_name) > 60 or _CONTROL.search(clean_name):
        raise PreferenceError("name: 1 to 60 characters, no control characters")
    if language not in LANGUAGES:
        raise PreferenceError(f"language: one of {', '.join(LANGUAGES)}")
    kept: dict[str, str] = {}
    for channel, raw in addresses.items():
        if channel not in CHANNELS:
            raise PreferenceError(f"channel {channel!r}: one of {', '.join(CHANNELS)}")
        value = raw.strip()
        if value:
            kept[channel] = _address(channel, value)
    if not kept:
        raise PreferenceError("give at least one way to reach you (a phone, e-mail or webhook)")
    wanted = tuple(dict.fromkeys(preferred))
    for channel in wanted:
        if channel not in kept:
            raise PreferenceError(f"preferred channel {channel!r} has no address")
    span: tuple[str, str] | None = None
    if quiet is not None:
        if len(quiet) != 2 or not all(_HHMM.match(t) for t in quiet):
            raise PreferenceError('quiet hours: two local times "HH:MM", from and to')
        if quiet[0] == quiet[1]:
            raise PreferenceError("quiet hours: from and to must differ")
        span = (quiet[0], quiet[1])
    ordered = tuple(c for c in CHANNELS if c in wanted)
    return Preferences(
        clean_name, language, {c: kept[c] for c in CHANNELS if c in kept}, ordered, span
    )


def _address(channel: str, value: str) -> str:
    if len(value) > 300:
        raise PreferenceError(f"{channel}: at most 300 characters")
    if channel in ("sms", "voice"):
        if not _PHONE.match(value):
            raise PreferenceError(f"{channel}: a phone number, digits with an optional +")
        return value
    if channel == "email":
        if not _EMAIL.match(value):
            raise PreferenceError("email: an address like name@example.com")
        return value
    if not _URL.match(value):
        raise PreferenceError("webhook: an http(s) URL")
    return value
