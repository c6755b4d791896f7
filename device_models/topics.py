"""Topic patterns of model files: `acme/lora/{device}/up` -> an MQTT filter and a matcher.

Placeholders take one whole topic level each: `{device}` (required unless the device id is a
payload field), `{home}` (optional) and `{channel}` (reading|event|status|availability; required
when a model has no decoder). The device id is lower-cased, so a vendor's `A1B2C3` is device
`a1b2c3` in Anju.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.topics import UPLINK_CHANNELS

PLACEHOLDERS = ("device", "home", "channel")
_SEGMENT = re.compile(r"\{([a-z_]+)\}")
_LITERAL = re.compile(r"[A-Za-z0-9_.:-]+")
_ID = r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}"


class PatternError(ValueError):
    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.fix = fix


@dataclass(frozen=True)
class TopicPattern:
    text: str
    regex: re.Pattern[str]
    names: tuple[str, ...]

    @property
    def filter(self) -> str:
        """The MQTT subscription filter (placeholders become `+`)."""
        return "/".join("+" if "{" in level else level for level in self.text.split("/"))

    def match(self, topic: str) -> dict[str, str] | None:
        m = self.regex.fullmatch(topic)
        if m is None:
            return None
        found = m.groupdict()
        if "device" in found:
            found["device"] = found["device"].lower()
        if "home" in found:
            found["home"] = found["home"].lower()
        return found

    def render(self, **values: str) -> str:
        """The topic with placeholders filled (those not given become `+`)."""
        out = []
        for level in self.text.split("/"):
            m = _SEGMENT.fullmatch(level)
            out.append(values.get(m.group(1), "+") if m else level)
        return "/".join(out)


def parse_pattern(text: str) -> TopicPattern:
    if not text or text.startswith("/") or text.endswith("/") or "//" in text:
        raise PatternError(
            f"topic pattern {text!r} has an empty level", 'write levels like "acme/{device}/up"'
        )
    if text.startswith("$"):
        raise PatternError(f"topic pattern {text!r} starts with $", "$ topics belong to the broker")
    parts: list[str] = []
    names: list[str] = []
    for level in text.split("/"):
        m = _SEGMENT.fullmatch(level)
        if m:
            name = m.group(1)
            if name not in PLACEHOLDERS:
                raise PatternError(
                    f"unknown placeholder {{{name}}} in {text!r}",
                    "use {device}, {home} or {channel}",
                )
            if name in names:
                raise PatternError(f"{{{name}}} appears twice in {text!r}", "use it once")
            names.append(name)
            if name == "channel":
                channels = "|".join(sorted(UPLINK_CHANNELS))
                parts.append(f"(?P<channel>{channels})")
            else:
                parts.append(f"(?P<{name}>{_ID})")
        elif "{" in level or "}" in level:
            raise PatternError(
                f"level {level!r} of {text!r} mixes text and a placeholder",
                "a placeholder takes a whole level: acme/{device}/up",
            )
        elif level in ("+", "#") or not _LITERAL.fullmatch(level):
            raise PatternError(
                f"level {level!r} of {text!r} is not plain text",
                "use letters, digits, _ . : - and placeholders, no MQTT wildcards",
            )
        else:
            parts.append(re.escape(level))
    return TopicPattern(text, re.compile("/".join(parts)), tuple(names))
