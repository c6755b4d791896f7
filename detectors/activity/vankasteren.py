"""Convert the van Kasteren recordings (houses A, B, C) into Anju's replay format.

van Kasteren's files give one line per sensor activation: start (seconds, the local wall time of
the Netherlands written as if it were UTC), duration and sensor id. A replay directory holds
`events.csv` (`timestamp,sensor,value`: ISO 8601 local time, ON at the start, OFF at the end),
`sensors.csv` (`sensor,room,kind`) and, for evaluation only, `activities.csv`
(`start,end,activity`: the annotated ground truth, never shown to the detectors).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

# (pattern on the lower-cased sensor name, room, kind), first match wins
_RULES: tuple[tuple[str, str, str], ...] = (
    (r"front ?door", "entrance", "door"),
    (r"keys", "other", "appliance"),
    (r"toilet door|door downstairs toilet|hall-bathroom door|hall-toilet door", "bathroom", "door"),
    (r"toilet|flush|badkamer|bathtub|bath lift|sink top", "bathroom", "appliance"),
    (r"bedroom door", "bedroom", "door"),
    (r"bed", "bedroom", "bed"),
    (r"couch", "living_room", "bed"),
    (r"slaapkamer", "bedroom", "motion"),
    (r"dresser", "bedroom", "appliance"),
    (r"keuken", "kitchen", "motion"),
    (r"washing machine", "other", "appliance"),
    (
        r"microwave|magnetron|fridge|refrigerator|freezer|cupboard|cabinet|dishwasher|"
        r"cutlary|cutlery|stove|gootsteen|toaster|pans|plates|groceries|scraps",
        "kitchen",
        "appliance",
    ),
)
_MOTION_WORDS = re.compile(r"\bpir\b")
# ids missing from a names file, named from the evidence. House B's "frontdoor" (id 7) never
# fires; the unnamed id 4 fires within 3 min of 24 of the 24 labelled departures and 23 of the
# 24 returns, so it is the front door.
_UNNAMED: dict[str, dict[str, str]] = {"B": {"4": "front door (unnamed id 4)"}}


@dataclass(frozen=True, slots=True)
class SensorInfo:
    sensor: str
    room: str
    kind: str


def classify(name: str) -> tuple[str, str]:
    """(room, kind) for a van Kasteren sensor name."""
    lowered = name.lower()
    for pattern, room, kind in _RULES:
        if re.search(pattern, lowered):
            if kind == "appliance" and _MOTION_WORDS.search(lowered):
                return room, "motion"
            return room, kind
    return "other", "appliance"


def sensor_slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")
    return slug[:60] or "sensor"


def _local(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None).isoformat()


def _names(path: Path) -> dict[str, str]:
    names: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].strip():
            names[parts[0].strip()] = parts[1].strip()
    return names


def _rows(path: Path) -> list[tuple[int, int, str]]:
    rows: list[tuple[int, int, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 3:
            rows.append((int(parts[0]), int(parts[1]), parts[2]))
    return rows


def convert_house(src: Path, house: str, out: Path) -> dict[str, int]:
    """Write one house's replay directory; returns counts for the log."""
    names = _names(src / f"house{house}.sensor_names")
    rows = _rows(src / f"house{house}.sensors")
    for sid, name in _UNNAMED.get(house, {}).items():
        names.setdefault(sid, name)
    for _, _, sid in rows:
        names.setdefault(sid, f"sensor {sid}")  # ids the names file forgot: room "other"
    slugs = {sid: sensor_slug(name) for sid, name in names.items()}
    out.mkdir(parents=True, exist_ok=True)
    with (out / "sensors.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sensor", "room", "kind"])
        for sid in sorted(names, key=int):
            room, kind = classify(names[sid])
            writer.writerow([slugs[sid], room, kind])
    events: list[tuple[int, int, str, str]] = []
    for order, (start, duration, sid) in enumerate(rows):
        slug = slugs.get(sid, f"sensor_{sid}")
        events.append((start, 2 * order, slug, "ON"))
        events.append((start + max(duration, 1), 2 * order + 1, slug, "OFF"))
    events.sort()
    with (out / "events.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["timestamp", "sensor", "value"])
        for start, _, slug, value in events:
            writer.writerow([_local(start), slug, value])
    activity_names = _names(src / f"house{house}.activity_names")
    activities = _rows(src / f"house{house}.activities")
    with (out / "activities.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["start", "end", "activity"])
        for start, duration, aid in activities:
            writer.writerow([_local(start), _local(start + duration), activity_names.get(aid, aid)])
    return {"sensors": len(names), "events": len(events), "activities": len(activities)}


def houses(src: Path) -> list[str]:
    return sorted(p.name[5:-8] for p in src.glob("house*.sensors"))
