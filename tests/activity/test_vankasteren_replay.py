"""Real homes: convert van Kasteren, replay through the live detector, evaluate (CLI)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from anju.cli import main
from detectors.activity.vankasteren import classify

pytestmark = pytest.mark.vankasteren


def test_sensor_names_map_to_rooms_and_kinds() -> None:
    assert classify("Front door") == ("entrance", "door")
    assert classify("PIR badkamer") == ("bathroom", "motion")
    assert classify("mat bed right pressure mat") == ("bedroom", "bed")
    assert classify("Hall-Toilet door") == ("bathroom", "door")
    assert classify("kwik stove lid") == ("kitchen", "appliance")


def test_convert_and_eval_house_a(
    vankasteren_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["convert", "vankasteren", str(vankasteren_path), str(tmp_path)]) == 0
    house = tmp_path / "houseA"
    with (house / "events.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2458 and rows[0]["value"] == "ON"
    with (house / "sensors.csv").open() as handle:
        rooms = {r["sensor"]: r["room"] for r in csv.DictReader(handle)}
    assert rooms["front_door"] == "entrance" and rooms["toilet_flush"] == "bathroom"
    capsys.readouterr()
    args = ["eval", "activity", str(house), "--json", "--collapse", "10", "--seed", "1"]
    assert main([*args, "--oracle"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert 26 < result["days"] < 28
    assert {"time", "type", "category", "severity"} <= set(result["alerts"][0])
    assert {a["category"] for a in result["alerts"]} <= {"care", "technical"}
    day = result["collapse_day"]
    assert day["cuts"] == 10
    # the learned rules answer a collapse sooner than the fixed 12-hour product default
    assert day["median_min"] < result["baseline_fixed_12h"]["collapse_day"]["median_min"]
    oracle = result["oracle_day"]  # learners told by the labels: hindsight never alarms falsely
    assert oracle["room_hour hindsight"]["false_alarms"] == 0
    assert {"room_hour x2", "sensor_part x1.5"} <= set(oracle)
