"""Resident records and where help is sent."""

from __future__ import annotations

from domain.calls import LocationSource, dispatch_location
from domain.record import Household, SelfCare, empty_record


def test_an_empty_record_assumes_nothing() -> None:
    r = empty_record("r1")
    assert r.household is Household.OTHER and r.self_care is SelfCare.UNKNOWN
    assert r.family == () and r.conditions == () and r.medication == ()


def test_dispatch_goes_to_the_pendant_fix_only_when_out() -> None:
    fix = (22.01, 100.79, 1_000)
    at_home = dispatch_location("嘎兰中路 8 号", 22.0, 100.8, fix, out=False)
    assert at_home.source is LocationSource.HOME and (at_home.lat, at_home.lon) == (22.0, 100.8)
    out = dispatch_location("嘎兰中路 8 号", 22.0, 100.8, fix, out=True)
    assert out.source is LocationSource.PENDANT and (out.lat, out.lon, out.at_ms) == fix
    assert out.address == "嘎兰中路 8 号"
    no_fix = dispatch_location("嘎兰中路 8 号", None, None, None, out=True)
    assert no_fix.source is LocationSource.HOME and no_fix.lat is None
