"""The labelled learners of `detectors/activity/oracle.py` on a recording small enough to check
by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from detectors.activity.evaluate import Replay
from detectors.activity.oracle import judge, silences
from detectors.activity.replay import load

# three days; each day the kitchen at 09:00, the living room next, the kitchen at 12:00, then
# out (labelled) until the living room at 18:00
DAYS = {
    "2026-01-05": ("09:00", "09:30", "12:00", "18:00"),
    "2026-01-06": ("09:00", "09:30", "12:00", "18:00"),
    "2026-01-07": ("09:00", "10:00", "11:40", "18:00"),  # judged: 60 min still after the kitchen
}


def _recording(root: Path) -> Replay:
    (root / "sensors.csv").write_text(
        "sensor,room,kind\nfridge,kitchen,appliance\ncouch,living_room,bed\n"
    )
    events, labels = ["timestamp,sensor,value"], ["start,end,activity"]
    for day, (k1, living, k2, back) in DAYS.items():
        for at, sensor in ((k1, "fridge"), (living, "couch"), (k2, "fridge"), (back, "couch")):
            events.append(f"{day}T{at}:00,{sensor},ON")
        labels.append(f"{day}T{k2}:30,{day}T{back}:00,leave-house")
    (root / "events.csv").write_text("\n".join(events) + "\n")
    (root / "activities.csv").write_text("\n".join(labels) + "\n")
    return Replay.of(load(root, home_id="h1"))


def test_silences_stop_where_she_goes_out(tmp_path: Path) -> None:
    found = silences(_recording(tmp_path), "room_hour")
    minutes = sorted(s.duration_ms / 60_000 for s in found)
    # after the first fridge 30, 30, 60; after the couch 150, 150, 100; the last fridge is
    # followed by 30 s until the away label (the hours out are not hers); from the evening
    # couch to the next morning 15 h (no sleep label here)
    assert minutes == [0.5, 0.5, 0.5, 30, 30, 60, 100, 150, 150, 900, 900]


def test_learned_and_hindsight_thresholds(tmp_path: Path) -> None:
    replay = _recording(tmp_path)
    cut = replay.recording.start_ms + 2 * 86_400_000 + 20 * 60_000  # day 3, 09:20
    learned = judge(replay, [cut], "sensor_part", 1.5, judged_from_days=2)
    # learned: the fridge was followed by 30 min at most; x1.5 is under the 45 min floor,
    # so day 3's 60 min is a false alarm and the cut waits 45 - 20 = 25 min
    assert learned["false_alarms"] == 1
    assert learned["median_min"] == pytest.approx(25.0)
    hindsight = judge(replay, [cut], "sensor_part", None, judged_from_days=2)
    # hindsight knows day 3's 60 min: no false alarm, the cut waits 61 - 20 = 41 min
    assert hindsight["false_alarms"] == 0
    assert hindsight["median_min"] == pytest.approx(41.0)
