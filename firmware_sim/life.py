"""One home, alive: the resident follows a day plan and the devices report what they sense.

Each home is a handful of callbacks on the shared `Engine`; no threads. Segment changes drive
the PIRs, the bed mat, the door and the stove; periodic callbacks send heart rate, kitchen
readings and heartbeats. Incidents (firmware_sim.incidents) replace part of the plan.
"""

from __future__ import annotations

import functools
import math
from collections import deque
from collections.abc import Callable

import numpy as np

from domain import contract
from domain.model import DeviceKind, Room
from firmware_sim import sensors
from firmware_sim.accel import Array, WindowSource, as_payload
from firmware_sim.engine import Engine
from firmware_sim.firmware import Firmware, SeqStore
from firmware_sim.homes import SimHome, spec_of
from firmware_sim.models import IMPACT_FS, IMPACT_PRE_S
from firmware_sim.people import PERSONAS
from firmware_sim.pir import PirStream
from firmware_sim.routine import BED, OUT, Segment, plan_day
from firmware_sim.uplink import HomeGateway, Sink

DAY = 86400.0
ROOMS_WITH_PIR = {r.value for r in Room}
ADL_TRIGGERS_PER_DAY = 1.0  # daily-life jolts that open an impact window on the pendant
NOT_WORN = {"sleep", "nap", "shower"}


class HomeLife:
    def __init__(
        self,
        engine: Engine,
        home: SimHome,
        sink: Sink,
        *,
        store: SeqStore,
        seed: int,
        windows: WindowSource,
        tz_offset_h: float = 8.0,
    ) -> None:
        self.engine = engine
        self.home = home
        self.rng = np.random.default_rng(seed)
        self.windows = windows
        self.tz_s = tz_offset_h * 3600.0
        self.persona = PERSONAS[home.personas[0]]
        self.gateway = HomeGateway(home.home_id, sink)
        t = engine.now
        self.fw: dict[str, Firmware] = {
            d.device_id: Firmware(d, spec_of(d), store, t, self.rng) for d in home.devices
        }
        by_kind = {d.kind: self.fw[d.device_id] for d in home.devices}
        self.pendant = by_kind[DeviceKind.PENDANT]
        self.bed = by_kind[DeviceKind.BED]
        self.door = by_kind[DeviceKind.DOOR]
        self.env = by_kind[DeviceKind.ENVIRONMENT]
        self.gw = by_kind[DeviceKind.GATEWAY]
        self.pir = {
            d.room.value: self.fw[d.device_id]
            for d in home.devices
            if d.kind is DeviceKind.MOTION and d.room is not None
        }
        self.place = BED
        self.activity = "sleep"
        self.plan: list[Segment] = []
        self.gen = 0
        self.then: Callable[[float], None] | None = None
        self.steps = 0
        self.steps_day = 0.0
        self.charging = False
        self.no_charge = False  # dead-battery incident: the resident stops charging
        self.worn_today = True
        self.stove: tuple[float, float, float] | None = None
        self.smoke_alarm = False
        self.last_t: dict[str, float] = {}
        self.pir_streams: dict[str, PirStream] = {}
        self.pir_last: dict[str, float] = {}  # room -> time of the PIR's last report
        self.pir_on: dict[str, bool] = {}
        self.recent: deque[tuple[str, bytes]] = deque(maxlen=8)  # for replay misbehaviour

    # sending ------------------------------------------------------------------------------
    def send(self, fw: Firmware, message: tuple[str, bytes], qos: int = 1) -> None:
        if fw.alive:
            self.gateway.send(message[0], message[1], qos)
            if fw is self.pendant:
                self.recent.append(message)

    def announce(self, fw: Firmware, online: bool) -> None:
        topic, payload = fw.availability(online)
        self.gateway.send(topic, payload, 1, retain=True)

    # start --------------------------------------------------------------------------------
    def start(self) -> None:
        t = self.engine.now
        for fw in self.fw.values():
            self.announce(fw, True)
            phase = float(self.rng.uniform(0, fw.spec.heartbeat_s))
            self.last_t[fw.device_id] = t
            self.engine.at(t + phase, functools.partial(self._heartbeat, fw))
        self.engine.at(t + float(self.rng.uniform(0, 60)), self._pendant_tick)
        self.engine.at(t + float(self.rng.uniform(0, 300)), self._env_tick)
        day0 = self._local_midnight(t) - DAY
        wake = day0 + self.persona.wake_h * 3600.0
        plan = plan_day(self.persona, wake, day0, self.rng)
        while plan[-1].end <= t:
            plan = self._next_plan(plan[-1].end)
        self.follow([s for s in plan if s.end > t], first_at=t)

    def _local_midnight(self, t: float) -> float:
        return math.floor((t + self.tz_s) / DAY) * DAY - self.tz_s

    def _next_plan(self, wake: float) -> list[Segment]:
        self.worn_today = bool(self.rng.random() < self.persona.pendant_worn)
        return plan_day(self.persona, wake, self._local_midnight(wake), self.rng)

    # the plan -----------------------------------------------------------------------------
    def follow(
        self,
        plan: list[Segment],
        first_at: float | None = None,
        then: Callable[[float], None] | None = None,
    ) -> None:
        """Replace what the resident does from now on with `plan`; `then` runs when it ends
        (by default the next day is planned)."""
        self.gen += 1
        if self.plan:
            self.quiet_pirs(self.engine.now)
        self.plan = plan
        self.then = then
        gen = self.gen
        if not plan:
            return
        first = plan[0]
        when = first.start if first_at is None else max(first_at, first.start)
        self.engine.at(when, lambda now: self._segment(gen, 0, now))

    def _segment(self, gen: int, i: int, t: float) -> None:
        if gen != self.gen:
            return  # an incident replaced the plan
        seg = self.plan[i]
        self._enter(seg, t)
        if i + 1 < len(self.plan):
            self.engine.at(self.plan[i + 1].start, lambda now: self._segment(gen, i + 1, now))
        else:
            self.engine.at(seg.end, lambda now: self._after_plan(gen, now))

    def _after_plan(self, gen: int, t: float) -> None:
        if gen != self.gen:
            return
        if self.then is not None:
            self.then(t)
        else:
            self.follow(self._next_plan(t))

    def resume(self, t: float, original: list[Segment]) -> None:
        """After an incident: sit down, then pick the original plan up where it is by now."""
        rest = [s for s in original if s.start >= t + 60.0]
        if not rest:
            self.follow(self._next_plan(t + 600.0))
            return
        self.follow([Segment(t, rest[0].start, "living_room", "sit"), *rest])

    def _enter(self, seg: Segment, t: float) -> None:
        old = self.place
        self.place, self.activity = seg.place, seg.activity
        if old == BED and seg.place != BED:
            self._at(t + 2.0, self.bed, contract.Bed, state=False)
            if self.charging:
                self.charging = False
                self.pendant.battery = 100.0
        if seg.place == BED:
            self._at(t + 5.0, self.bed, contract.Bed, state=True)
            self._pir(Room.BEDROOM.value, seg, entering=False)
            p = self.pendant.battery
            if (
                seg.activity == "sleep"
                and p is not None
                and p < 40
                and not self.no_charge
                and self.rng.random() < 0.85
            ):
                self.charging = True
        elif seg.place in ROOMS_WITH_PIR:
            self._pir(seg.place, seg)
        if seg.activity in ("leave", "visitor"):
            self._at(t + 20.0, self.door, contract.Door, state="open")
            self._at(t + 28.0, self.door, contract.Door, state="closed")
        elif seg.activity == "return":
            self._at(t + 1.0, self.door, contract.Door, state="open")
            self._at(t + 9.0, self.door, contract.Door, state="closed")
        elif seg.activity == "cook" and not self.pan_on(t):
            self.stove = (t + 60.0, max(t + 120.0, seg.end - 60.0), float(self.rng.uniform(5, 9)))
        if (
            seg.activity in ("sit", "dress", "pass", "eat")
            and self.wearing()
            and self.rng.random() < ADL_TRIGGERS_PER_DAY / 12.0
        ):
            window, source = self.windows.adl(self.rng)
            when = float(self.rng.uniform(seg.start, seg.end))
            self.engine.at(when, lambda now: self.impact(now, window, source))

    def pan_on(self, t: float) -> bool:
        """A forgotten pan (far hotter than cooking) is still on the stove."""
        return self.stove is not None and self.stove[2] > 20 and self.stove[1] > t

    def wearing(self) -> bool:
        return self.worn_today and self.activity not in NOT_WORN and self.place != BED

    def _at(self, t: float, fw: Firmware, kind: type[contract.Event], **fields: object) -> None:
        self.engine.at(t, lambda now: self.send(fw, fw.event(now, kind, **fields)))

    def _pir(self, room: str, seg: Segment, entering: bool = True) -> None:
        fw = self.pir.get(room)
        if fw is None:
            return
        old = self.pir_streams.pop(room, None)
        if old is not None:
            old.cancel(seg.start)
        events = sensors.pir_events(seg.start, seg.end, seg.activity, self.rng, entering)
        events = [e for e in events if e[0] >= self.engine.now]
        if events:
            stream = PirStream(self, room, fw, events)
            self.pir_streams[room] = stream
            self.engine.at(events[0][0], stream.fire)

    def quiet_pirs(self, t: float) -> None:
        """The plan changed under the resident: PIRs stop seeing the old plan's movements."""
        for stream in self.pir_streams.values():
            stream.cancel(t)
        self.pir_streams.clear()

    # pendant ------------------------------------------------------------------------------
    def impact(self, t: float, window: Array, source: str) -> None:
        del source  # ground truth keeps it; the device does not know
        fw = self.pendant
        t0 = fw.ts(t - IMPACT_PRE_S)
        msg = fw.event(t, contract.Impact, fs=IMPACT_FS, t0=t0, accel=as_payload(window))
        self.send(fw, msg)

    def press(self, t: float, kind: type[contract.Event]) -> None:
        self.send(self.pendant, self.pendant.event(t, kind))

    def _pendant_tick(self, t: float) -> None:
        fw = self.pendant
        self.engine.at(t + 60.0, self._pendant_tick)
        today = self._local_midnight(t)
        if today != self.steps_day:  # the step count starts again at midnight, worn or not
            self.steps, self.steps_day = 0, today
        if self._drain(fw, t) or not self.wearing():
            return
        if self.activity not in ("floor", "still", "stuck"):
            self.steps += int(self.rng.poisson(4 if self.activity == "sit" else 35))
        values = contract.Values(
            heart_rate=sensors.heart_rate(self.persona.rest_hr, self.activity, self.rng),
            steps=self.steps,
        )
        if self.place == OUT and int(t // 60) % 5 == 0:
            lat, lon = self.home.home.lat or 22.0, self.home.home.lon or 100.8
            values.lat = round(lat + float(self.rng.normal(0, 0.006)), 6)
            values.lon = round(lon + float(self.rng.normal(0, 0.006)), 6)
            values.accuracy_m = round(float(self.rng.uniform(8, 60)), 0)
        self.send(fw, fw.reading(t, values))

    def _drain(self, fw: Firmware, t: float) -> bool:
        """Battery accounting; True when the device has just died or is dead."""
        if not fw.alive:
            return True
        if self.charging and fw is self.pendant:
            self.last_t[fw.device_id] = t
            return False
        level = fw.battery_at(t, self.last_t.get(fw.device_id, t))
        self.last_t[fw.device_id] = t
        if level is not None and level <= 0.0:
            fw.alive = False
            supervision = 2.5 * fw.spec.heartbeat_s
            self.engine.at(t + supervision, lambda now: self.announce(fw, fw.alive))
            return True
        return False

    # kitchen ------------------------------------------------------------------------------
    def kitchen_c(self, t: float) -> float:
        extra = 0.0 if self.stove is None else sensors.heat_c(t, *self.stove)
        return sensors.ambient_c(t, self.tz_s / 3600.0) + extra

    def _env_tick(self, t: float) -> None:
        fw = self.env
        temp = self.kitchen_c(t)
        hot = self.stove is not None and self.stove[0] - 60 <= t <= self.stove[1] + 900
        self.engine.at(t + (60.0 if hot else 300.0), self._env_tick)
        smoke = 0.2
        if self.stove is not None and self.stove[2] > 20 and t > self.stove[0]:
            smoke = min(60.0, (t - self.stove[0]) / 60.0 * 1.2)
        values = contract.Values(
            temperature=round(temp, 1),
            humidity=round(65.0 + float(self.rng.normal(0, 3)), 0),
            smoke=round(smoke, 1),
        )
        self.send(fw, fw.reading(t, values))
        alarm = smoke >= 10.0 or temp >= 65.0
        if alarm != self.smoke_alarm:
            self.smoke_alarm = alarm
            self.send(fw, fw.event(t, contract.SmokeAlarm, state=alarm))

    # heartbeats ---------------------------------------------------------------------------
    def _heartbeat(self, fw: Firmware, t: float) -> None:
        self.engine.at(t + fw.spec.heartbeat_s, functools.partial(self._heartbeat, fw))
        if fw is not self.pendant and self._drain(fw, t):
            return
        if fw.alive:
            rssi = int(-55 - 25 * self.rng.random()) if fw is not self.gw else -50
            self.send(fw, fw.status(t, rssi))
