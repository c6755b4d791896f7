"""One home's activity model: presence, rest, learning, and raising the care rules.

`observe` takes one sign of life (or a kitchen reading) and updates the model; `evaluate`
lets time pass and raises whatever rule has become due. Both are deterministic functions of
the state, the configuration and the time they are given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo

from detectors.activity import presence, rooms, routine
from detectors.activity.baseline import MAX_SENSORS, GapHistogram, SensorSilences, keep_last
from detectors.activity.config import ActivityConfig, in_window
from detectors.activity.localtime import Local, at_hour, local
from detectors.activity.rules import (
    SILENCE_RULES,
    deadlines,
    is_out,
    learned,
    learning_over,
    sensor_key,
)
from detectors.activity.state import DayStats, HomeState, Mode, Prewarning
from domain.alarms import Detection, Severity
from domain.model import Room

DAY_RULES = frozenset({"not_up", "no_kitchen_activity", "door_at_night", "wellness"})
MINOR_RULES = frozenset({"no_kitchen_activity", "wellness", "prewarning", "prewarning_cancelled"})


@dataclass(slots=True)
class Home:
    state: HomeState
    hist: GapHistogram
    cfg: ActivityConfig
    tz: tzinfo
    silences: SensorSilences = field(default_factory=SensorSilences)

    def detection(self, rule: str, ts_ms: int, evidence: dict[str, float | str]) -> Detection:
        severity = Severity.MINOR if rule in MINOR_RULES else Severity.MAJOR
        return Detection(self.state.home_id, rule, severity, ts_ms, evidence=dict(evidence))

    # ---- signs of life -------------------------------------------------------------------
    def observe(
        self,
        room: Room | None,
        ts_ms: int,
        *,
        front_door: bool = False,
        bed: bool | None = None,
        sensor: str | None = None,
    ) -> list[Detection]:
        s, cfg = self.state, self.cfg
        out: list[Detection] = self.roll_day(ts_ms)
        if s.first_ms == 0:
            s.first_ms = ts_ms
        here = local(ts_ms, self.tz)
        was_out = is_out(s, cfg, ts_ms)
        if was_out and not front_door and cfg.return_needs_door:
            # nobody comes home through a wall: a sign of life inside while the resident is
            # out, without the front door first, is a pet, a visitor's sensor or a glitch ...
            s.out_since_ms = s.out_since_ms or s.leave_ms or s.last_ms
            if not presence.ghost_is_her(s, cfg, room, ts_ms, s.out_since_ms):
                presence.ghosted(s, sensor, s.out_since_ms)
                return out  # ... unless she moves about, in more than one room (one sensor
                # alone is a pet or the sun on a PIR): then the door sensor missed her return
        if s.last_ms and not was_out and s.rest_since_ms is None and s.mode is Mode.NORMAL:
            gap_s = (ts_ms - s.last_ms) / 1000
            then = local(s.last_ms, self.tz)
            self.hist.add(_room(s.last_room), then.hour_index, gap_s)
            if gap_s >= cfg.sensor_long_s:
                self._sensor_silence(
                    sensor_key(s.last_sensor, then.hour_index, cfg), then.day, gap_s
                )
        if was_out:
            presence.came_back(s, ts_ms)
        if s.prewarning is not None:
            out.append(
                self.detection(
                    "prewarning_cancelled", ts_ms, {"rule": s.prewarning.rule, "by": "activity"}
                )
            )
            s.prewarning = None
        presence.back_from_away(s, ts_ms, front_door)
        night = in_window(here.hour, cfg.night_start_h, cfg.night_end_h)
        rooms.rest(s, room, ts_ms, night, bed)
        same_passage, leaving, first = presence.passage(s, ts_ms, front_door, was_out)
        self._count(room, ts_ms, here.hour, first, was_out)
        late = rooms.bathroom(s, cfg, self.tz, room, ts_ms, was_out=was_out)
        if front_door:
            told = self._front_door(ts_ms, here.hour_index, leaving)
            out.extend(told)
            if first:  # leaving at an hour of the night she is not usually out (one alarm:
                # if `door_at_night` told already, the outing keeps the usual limit)
                s.out_at_night = not told and self._unusual_night(ts_ms, here)
            s.front_door_ms = ts_ms
            s.leave_ms = ts_ms if leaving else None
            s.out_since_ms = None
        elif not presence.on_her_way_out(s, room, ts_ms, same_passage, sensor):
            s.leave_ms = None  # life inside after the door: she did not go after all
        seen_in: str | None = room.value if room else None
        s.last_ms, s.last_room = ts_ms, s.last_room if late else seen_in
        s.last_sensor = s.last_sensor if late else sensor
        s.latched = []
        s.next_due_ms = 0
        return out

    def _sensor_silence(self, key: str | None, day: int, gap_s: float) -> None:
        """Record a long silence under its (sensor, part of day) row (`rules.sensor_key`)."""
        names = self.state.sensor_names
        if key is None:
            return
        if key not in names:
            if len(names) >= MAX_SENSORS:
                return  # a home with more (sensor, day part) rows: the rest keep the room's
            names.append(key)
        self.silences.add(names.index(key), day, gap_s)

    def _unusual_night(self, ts_ms: int, here: Local) -> bool:
        s, cfg = self.state, self.cfg
        # the evening and the small hours, not the early morning: from the end of the
        # wandering window on (05:00) leaving is an early start (house B, out at 05:47 for a
        # day and a half) and keeps the usual outing limit
        if not in_window(here.hour, cfg.night_start_h, cfg.door_night_end_h):
            return False
        if s.mode is not Mode.NORMAL:
            return False
        usual = learned(s, cfg, ts_ms) and s.door_hour_days[here.hour_index] >= cfg.door_night_usual
        return not usual

    def _front_door(self, ts_ms: int, hour: int, leaving: bool) -> list[Detection]:
        s, cfg = self.state, self.cfg
        if hour not in s.door_hours_today:
            s.door_hours_today.append(hour)
        usual = learned(s, cfg, ts_ms) and s.door_hour_days[hour] >= cfg.door_night_usual
        if (
            s.mode is Mode.NORMAL
            and leaving
            and not usual
            and "door_at_night" not in s.today.fired
            and in_window(hour + 0.5, cfg.door_night_start_h, cfg.door_night_end_h)
        ):
            s.today.fired.append("door_at_night")
            return [self.detection("door_at_night", ts_ms, {"hour": hour})]
        return []

    def _count(
        self, room: Room | None, ts_ms: int, hour: float, front_door: bool, was_out: bool
    ) -> None:
        s, day = self.state, self.state.today
        day.events += 1
        if room is Room.KITCHEN:
            day.kitchen += 1
            s.has_kitchen = True
        if room is Room.BATHROOM and s.last_room != Room.BATHROOM.value:
            day.bathroom_visits += 1
        if front_door:  # here: the first door event of a leaving passage
            day.outings += 1
        if (
            day.first_ms is None
            and s.mode is Mode.NORMAL
            and not was_out
            and hour >= self.cfg.night_end_h
            and hour < self.cfg.wake_latest_h
        ):
            day.first_ms = ts_ms
            keep_last(s.wake_hours, hour, 30)
        elif day.first_ms is None and hour >= self.cfg.night_end_h:
            day.first_ms = ts_ms

    def kitchen(
        self, ts_ms: int, temperature: float | None, smoke: float | None, alarm: bool | None
    ) -> list[Detection]:
        rule = rooms.kitchen_heat(self.state, self.cfg, temperature, smoke, alarm)
        if rule is None:
            return []
        evidence: dict[str, float | str] = {
            "temperature": temperature or 0.0,
            "smoke": smoke or 0.0,
        }
        return [self.detection(rule, ts_ms, evidence)]

    # ---- time passing --------------------------------------------------------------------
    def evaluate(self, now_ms: int) -> list[Detection]:
        s, cfg = self.state, self.cfg
        out = self.roll_day(now_ms)
        if s.mode is not Mode.NORMAL and now_ms >= s.mode_until_ms:
            s.mode = Mode.NORMAL
        here = local(now_ms, self.tz)
        if s.rest_since_ms is not None and not s.rest_at_night:
            # in bed since the evening: when the night comes, the nap has become the night
            s.rest_at_night = in_window(here.hour, cfg.night_start_h, cfg.night_end_h)
        if s.out_since_ms is None and s.last_ms and is_out(s, cfg, now_ms):
            s.out_since_ms = s.leave_ms or s.last_ms
        pending = s.prewarning
        if pending is not None and now_ms >= pending.alarm_ms:
            s.prewarning = None
            out.append(self._fire(pending.rule, now_ms, pending.evidence))
        due = deadlines(s, cfg, self.tz, now_ms)
        for item in due:
            if item.at_ms > now_ms or s.prewarning is not None:
                continue
            if item.rule in SILENCE_RULES and cfg.prewarning_s > 0:
                alarm_ms = now_ms + int(cfg.prewarning_s * 1000)
                s.prewarning = Prewarning(item.rule, now_ms, alarm_ms, item.evidence)
                out.append(
                    self.detection("prewarning", now_ms, {"rule": item.rule, "alarm_ms": alarm_ms})
                )
            else:
                out.append(self._fire(item.rule, now_ms, item.evidence))
        later = [d.at_ms for d in deadlines(s, cfg, self.tz, now_ms) if d.at_ms > now_ms]
        if s.prewarning is not None:
            later.append(s.prewarning.alarm_ms)
        if s.mode is not Mode.NORMAL:
            later.append(s.mode_until_ms)
        if s.leave_ms is not None and s.out_since_ms is None:
            later.append(s.leave_ms + int(cfg.out_after_s * 1000))
        later.append(now_ms + int((24 - here.hour) * 3_600_000) + 1000)  # next local midnight
        if not s.thresholds and s.first_ms:  # the end of learning: the learned rules arm
            later.append(max(now_ms + 1000, s.first_ms + int(cfg.learning_days * 86_400_000)))
        clock_hours = (cfg.night_end_h, cfg.night_start_h, *(cfg.window_rule or ())[:1])
        for hour in clock_hours:  # rules that arm (or disarm) by the clock
            if here.hour < hour:
                later.append(at_hour(now_ms, here, hour) + 1000)
        s.next_due_ms = min(later)
        return out

    def _fire(self, rule: str, now_ms: int, evidence: dict[str, float | str]) -> Detection:
        s = self.state
        if rule in SILENCE_RULES:
            s.latched.extend(r for r in SILENCE_RULES if r not in s.latched)
        elif rule not in s.latched:
            s.latched.append(rule)
        if rule == "bathroom_too_long":
            s.bath_told = True  # once per stay, even if she still moves in there
        if rule in DAY_RULES:
            s.today.fired.append(rule)
        return self.detection(rule, now_ms, evidence)

    def roll_day(self, ts_ms: int) -> list[Detection]:
        """At the first moment of a new local day: score the day that ended, relearn. And the
        moment the learning period ends (mid-day): learn then, not at the next midnight."""
        out = self._new_day(ts_ms)
        if not self.state.thresholds and learning_over(self.state, self.cfg, ts_ms):
            self._relearn(local(ts_ms, self.tz).day)
        return out

    def _relearn(self, day: int) -> None:
        s, cfg = self.state, self.cfg
        s.thresholds = self.hist.thresholds(cfg.gap_quantile, cfg.min_samples).ravel().tolist()
        s.sensor_limit_s, s.sensor_count = self.silences.limits(day, len(s.sensor_names))

    def _new_day(self, ts_ms: int) -> list[Detection]:
        s, cfg = self.state, self.cfg
        here = local(ts_ms, self.tz)
        if s.today.day == here.day:
            return []
        finished, out = s.today, []
        s.today = DayStats(day=here.day)
        for hour in s.door_hours_today:
            s.door_hour_days[hour] += 1
        s.door_hours_today = []
        if s.rest_since_ms is not None:  # a rest across midnight counts on both days
            finished.rest_s += max(0.0, (ts_ms - max(s.rest_since_ms, s.rest_counted_ms)) / 1000)
            s.rest_counted_ms = ts_ms
        if finished.day >= 0 and s.mode is Mode.NORMAL and s.first_ms:
            today = routine.features(finished)
            if len(s.history) >= cfg.routine_min_days:
                value, feature = routine.score(today, s.history)
                if value >= cfg.routine_z:
                    out.append(
                        self.detection(
                            "wellness",
                            ts_ms,
                            {"score": round(value, 2), "feature": feature, "day": finished.day},
                        )
                    )
            routine.remember(s.history, today)
        if learning_over(self.state, self.cfg, ts_ms):
            self._relearn(here.day)
        return out

    def set_mode(self, mode: Mode, now_ms: int, until_ms: int | None) -> None:
        cfg = self.cfg
        default = cfg.away_max_s if mode is Mode.AWAY else cfg.visitor_max_s
        self.state.mode = mode
        self.state.mode_until_ms = until_ms or now_ms + int(default * 1000)
        self.state.mode_since_ms = now_ms
        self.state.prewarning = None
        self.state.next_due_ms = 0


def _room(value: str | None) -> Room | None:
    return Room(value) if value else None
