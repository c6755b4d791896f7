"""Status tiles: the first rule that holds wins."""

from __future__ import annotations

from domain.tiles import SILENT_AFTER_MS, HomeFacts, Tile, tile

NOW = 1_767_225_600_000
FRESH = NOW - 60_000


def test_a_quiet_recent_home_is_fine() -> None:
    assert tile(HomeFacts(last_activity_ms=FRESH), NOW) is Tile.FINE


def test_an_open_care_alarm_wins_over_everything() -> None:
    facts = HomeFacts(True, True, True, NOW + 1, None)
    assert tile(facts, NOW) is Tile.ALARM


def test_device_fault_before_away_and_attention() -> None:
    assert tile(HomeFacts(device_fault=True, away_until_ms=NOW + 1), NOW) is Tile.DEVICE
    assert tile(HomeFacts(device_fault=True, notice=True), NOW) is Tile.DEVICE


def test_away_hides_silence_until_it_ends() -> None:
    away = HomeFacts(away_until_ms=NOW + 3_600_000, last_activity_ms=None)
    assert tile(away, NOW) is Tile.AWAY
    assert tile(away, NOW + 3_600_000) is Tile.ATTENTION  # away ended, house silent


def test_silence_and_notices_need_attention() -> None:
    assert tile(HomeFacts(), NOW) is Tile.ATTENTION  # never any sign of life
    edge = HomeFacts(last_activity_ms=NOW - SILENT_AFTER_MS)
    assert tile(edge, NOW) is Tile.ATTENTION
    assert tile(HomeFacts(last_activity_ms=NOW - SILENT_AFTER_MS + 1), NOW) is Tile.FINE
    assert tile(HomeFacts(notice=True, last_activity_ms=FRESH), NOW) is Tile.ATTENTION
