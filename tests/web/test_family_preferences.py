"""Notification preferences as a family member types them: what is kept, what is refused and
why, and that the escalation engine reads them as it should (channels, quiet hours)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from alerts.escalation.contacts import Contact, channels_for, not_before_ms
from alerts.escalation.policy import Role
from domain.alarms import Severity
from domain.preferences import PreferenceError, parse

TZ = ZoneInfo("Asia/Shanghai")


def test_addresses_are_trimmed_ordered_and_empty_ones_dropped() -> None:
    p = parse(
        " 玉香 ",
        "en",
        {
            "webhook": "https://hooks.example.com/a?x=1",
            "sms": " +86 138-0013-8000 ",
            "voice": "",
        },
        ["webhook", "sms", "sms"],
        ["22:30", "07:00"],
    )
    assert p.name == "玉香" and p.language == "en"
    assert list(p.addresses.items()) == [
        ("sms", "+86 138-0013-8000"),
        ("webhook", "https://hooks.example.com/a?x=1"),
    ]
    assert p.preferred == ("sms", "webhook") and p.quiet == ("22:30", "07:00")


@pytest.mark.parametrize(
    ("name", "lang", "addresses", "preferred", "quiet", "message"),
    [
        ("", "zh-CN", {"sms": "13800138000"}, [], None, "name"),
        ("a\x00b", "zh-CN", {"sms": "13800138000"}, [], None, "name"),
        ("x" * 61, "zh-CN", {"sms": "13800138000"}, [], None, "name"),
        ("玉香", "fr", {"sms": "13800138000"}, [], None, "language"),
        ("玉香", "zh-CN", {}, [], None, "at least one"),
        ("玉香", "zh-CN", {"sms": " "}, [], None, "at least one"),
        ("玉香", "zh-CN", {"pager": "123456"}, [], None, "pager"),
        ("玉香", "zh-CN", {"sms": "call me"}, [], None, "sms"),
        ("玉香", "zh-CN", {"voice": "12"}, [], None, "voice"),
        ("玉香", "zh-CN", {"email": "yu@"}, [], None, "email"),
        ("玉香", "zh-CN", {"webhook": "ftp://x.example.com"}, [], None, "webhook"),
        ("玉香", "zh-CN", {"webhook": "https://" + "a" * 300}, [], None, "300"),
        ("玉香", "zh-CN", {"sms": "13800138000"}, ["email"], None, "no address"),
        ("玉香", "zh-CN", {"sms": "13800138000"}, [], ["25:00", "07:00"], "quiet"),
        ("玉香", "zh-CN", {"sms": "13800138000"}, [], ["22:00"], "quiet"),
        ("玉香", "zh-CN", {"sms": "13800138000"}, [], ["07:00", "07:00"], "differ"),
    ],
)
def test_what_is_refused_says_why(
    *,
    name: str,
    lang: str,
    addresses: dict[str, str],
    preferred: list[str],
    quiet: list[str] | None,
    message: str,
) -> None:
    with pytest.raises(PreferenceError, match=message):
        parse(name, lang, addresses, preferred, quiet)


def test_the_engine_reads_them_critical_everywhere_notices_as_asked() -> None:
    p = parse("玉香", "zh-CN", {"sms": "13800138000", "email": "yu@example.com"}, ["email"],
              ["22:00", "07:00"])  # fmt: skip
    c = Contact("u-1-h1", p.name, Role.FAMILY, "h1", p.language, dict(p.addresses), p.preferred,
                p.quiet)  # fmt: skip
    assert channels_for(c, Severity.CRITICAL) == ["sms", "email"]
    assert channels_for(c, Severity.MINOR) == ["email"]
    night = int(datetime(2026, 3, 10, 23, 30, tzinfo=TZ).timestamp() * 1000)
    morning = int(datetime(2026, 3, 11, 7, 0, tzinfo=TZ).timestamp() * 1000)
    assert not_before_ms(c, Severity.CRITICAL, night) == night  # an SOS wakes her
    assert not_before_ms(c, Severity.MINOR, night) == morning  # a notice waits till 07:00
