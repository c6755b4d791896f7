"""In or out: front door passages, returns the door sensor missed, and away mode.

Pure functions of one home's state (no clock, no I/O): `Home.observe` calls them for every sign
of life, in the order of the recording.
"""

from __future__ import annotations

from detectors.activity.baseline import keep_last
from detectors.activity.config import ActivityConfig
from detectors.activity.state import HomeState, Mode
from domain.model import Room

PASSAGE_MS = 120_000  # front door events this close together are one passage (in or out)
GLIMPSE_MS = 5_000  # ... and a sensor inside this soon after her door event sees the door
# area, not her in a room: shutting the door and walking to a room takes longer than that
REOPEN_MS = 30_000  # ... unless the door opens again after staying shut this long
GHOST_BURST_MS = 60_000  # while out, a sensor's events closer than this are one burst
AWAY_RETURN_MS = 30 * 60_000  # life inside this soon after the door ends away mode
GHOST_PRONE_OUTINGS = 2  # a sensor heard alone while she was out on this many outings
MAX_GHOST_SENSORS = 64  # sensors remembered (a home has a few dozen at most)


def passage(s: HomeState, ts_ms: int, front_door: bool, was_out: bool) -> tuple[bool, bool, bool]:
    """(same passage, leaving, first door event of a leaving passage) for this event."""
    same_passage = ts_ms - s.front_door_ms <= PASSAGE_MS
    if front_door and same_passage and not s.passage_leaving and s.passage_doors % 2 == 0:
        # she came in, and the door opens again (open and shut alternate) after it stayed
        # shut a while: a new passage, she went straight out again (house B at 19:18 then
        # 19:19, house C at 22:22 then 22:25). Read as one passage in, she was home and
        # silent for hours while she was out. (A leaving passage keeps its direction.)
        same_passage = ts_ms - s.front_door_ms < REOPEN_MS
    if front_door and not same_passage:  # a passage's first door event sets its direction
        s.passage_leaving = not was_out and s.mode is not Mode.AWAY
        s.passage_doors = 0
    if front_door:
        s.passage_doors += 1
    # ... and a door event later in a leaving passage is her going, even after a sensor
    # inside spoke in between (B's kitchen PIR sees the hall: door, kitchen, door, gone)
    leaving = front_door and s.passage_leaving
    return same_passage, leaving, leaving and not same_passage


def ghosted(s: HomeState, sensor: str | None, outing_ms: int) -> None:
    """A sensor spoke while she was out and it was not her: count the outing (once)."""
    if sensor is None:
        return
    seen = s.ghost_sensors.get(sensor)
    if seen is None:
        if len(s.ghost_sensors) >= MAX_GHOST_SENSORS:
            return
        seen = s.ghost_sensors[sensor] = [0, 0]
    if seen[1] != outing_ms:
        seen[0], seen[1] = seen[0] + 1, outing_ms


def on_her_way_out(
    s: HomeState, room: Room | None, ts_ms: int, same_passage: bool, sensor: str | None
) -> bool:
    """A sign of life inside right after a leaving door event that is still her leaving.

    The hall's own motion sensor in the same passage is her on the way out, often reported
    after the door; so is a room's sensor in the seconds after it (house B's kitchen PIR sees
    the hall and fires 1-4 s after she shut the door behind her, then nothing for hours). And
    so is a sensor heard alone on earlier outings (`ghosted`): it speaks by itself (house C's
    couch mat pulsed 3 min after she shut the door, and kept her "home" through her outing).
    """
    if room is Room.ENTRANCE and same_passage:
        return True
    if s.leave_ms is None:
        return False
    ghost = s.ghost_sensors.get(sensor) if sensor is not None else None
    if ghost is not None and ghost[0] >= GHOST_PRONE_OUTINGS:
        return True
    return ts_ms - s.front_door_ms <= GLIMPSE_MS


def ghost_is_her(
    s: HomeState, cfg: ActivityConfig, room: Room | None, ts_ms: int, out_since_ms: int
) -> bool:
    """Signs of life while she is out: is it her, back without the door sensor seeing it?

    Her, if within the last `ghost_return_s` there were at least three bursts (a sensor
    again after a minute's pause) in at least two rooms. A person who came home moves
    about; bursts hours apart are not that, even in two rooms (house B: the kitchen PIR at
    21:06, the bathroom PIR at 21:47 and 22:32, while she was away for a day and a half).
    Each ON/OFF message is not a burst: one PIR trigger alone sends two or four.
    """
    window_ms = int(cfg.ghost_return_s * 1000)
    where = room.value if room else Room.OTHER.value
    if s.ghost_since_ms < out_since_ms:  # a new outing: forget the last one's ghosts
        s.ghost_since_ms, s.ghost_times, s.ghost_rooms = out_since_ms, [], []
    keep = [
        (t, r) for t, r in zip(s.ghost_times, s.ghost_rooms, strict=False) if ts_ms - t <= window_ms
    ]
    same = [i for i, (t, r) in enumerate(keep) if r == where and ts_ms - t < GHOST_BURST_MS]
    if same:  # the same burst goes on: remember its last event
        keep[same[-1]] = (ts_ms, where)
    else:
        keep.append((ts_ms, where))
    s.ghost_times = [t for t, _ in keep]
    s.ghost_rooms = [r for _, r in keep]
    return len(keep) >= 3 and len(set(s.ghost_rooms)) >= 2


def came_back(s: HomeState, ts_ms: int) -> None:
    """The outing ended: remember how long it lasted."""
    since = s.out_since_ms or s.leave_ms or s.last_ms
    if s.mode is Mode.NORMAL:
        keep_last(s.outings_s, (ts_ms - since) / 1000)
    s.out_since_ms = None
    s.out_at_night = False


def back_from_away(s: HomeState, ts_ms: int, front_door: bool) -> None:
    """Came back in through the front door: away mode ends by itself."""
    if (
        s.mode is Mode.AWAY
        and not front_door
        and s.front_door_ms > s.mode_since_ms
        and ts_ms - s.front_door_ms < AWAY_RETURN_MS
    ):
        s.mode = Mode.NORMAL
