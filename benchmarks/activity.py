"""Throughput of the activity and supervision detectors, against a baseline in the same run.

Synthetic homes (bedroom, bathroom, kitchen, living room motion; front door; bed mat; a
pendant) publish Poisson-timed events. We time `on_message` for every event and `tick` once
per simulated second over all homes. The baseline is the least any detector must do: look up
the home and store the event time. The van Kasteren homes produce 0.016-0.029 events/s each, so
10,000 homes need about 300 events/s plus one tick per second over 10,000 homes.
"""

from __future__ import annotations

import random
import statistics
import time
from typing import Any

from detectors.activity.detector import ActivityDetector
from detectors.supervision.detector import SupervisionDetector
from domain import contract
from domain.decode import Message
from domain.model import Device, DeviceKind, Room
from domain.topics import Topic

START_MS = 1_767_225_600_000
ROOMS = (Room.BEDROOM, Room.BATHROOM, Room.KITCHEN, Room.LIVING_ROOM)


def _devices(home: str) -> list[Device]:
    devices = [Device(f"m-{r.value}", home, DeviceKind.MOTION, "pir", r) for r in ROOMS]
    devices.append(Device("door", home, DeviceKind.DOOR, "reed", Room.ENTRANCE))
    devices.append(Device("bed", home, DeviceKind.BED, "mat", Room.BEDROOM))
    devices.append(Device("pendant", home, DeviceKind.PENDANT, "watch"))
    return devices


def workload(homes: int, hours: float, seed: int) -> list[tuple[int, Message, Device]]:
    rng = random.Random(seed)
    items: list[tuple[int, Message, Device]] = []
    end = START_MS + int(hours * 3_600_000)
    for h in range(homes):
        home = f"h{h:05d}"
        devices = _devices(home)
        ts, seq = START_MS + rng.randrange(0, 60_000), 0
        while ts < end:
            device = rng.choice(devices)
            seq += 1
            body: contract.Event | contract.Reading
            if device.kind is DeviceKind.MOTION:
                body = contract.Motion(v=1, seq=seq, ts=ts, state=True)
            elif device.kind is DeviceKind.DOOR:
                body = contract.Door(v=1, seq=seq, ts=ts, state=rng.choice(["open", "closed"]))
            elif device.kind is DeviceKind.BED:
                body = contract.Bed(v=1, seq=seq, ts=ts, state=rng.random() < 0.5)
            else:
                body = contract.Reading(
                    v=1, seq=seq, ts=ts, values=contract.Values(steps=seq, heart_rate=70.0)
                )
            channel = "reading" if isinstance(body, contract.Reading) else "event"
            items.append((ts, Message(Topic(home, device.device_id, channel), body), device))
            ts += int(rng.expovariate(1 / 120_000)) + 1  # one event per ~2 min per home
    items.sort(key=lambda item: item[0])
    return items


class _Baseline:
    """The floor: remember the last event time per home."""

    def __init__(self) -> None:
        self.last: dict[str, int] = {}

    def on_message(self, message: Message, device: Device, now_ms: int) -> list[object]:
        self.last[device.home_id] = now_ms
        return []

    def tick(self, now_ms: int) -> list[object]:
        return []


def _events_per_s(detector: Any, items: list[tuple[int, Message, Device]]) -> float:
    started = time.perf_counter()
    for ts, message, device in items:
        detector.on_message(message, device, ts)
    return len(items) / (time.perf_counter() - started)


def _tick_ms(detector: Any, start_ms: int, rounds: int) -> float:
    times = []
    for i in range(rounds):
        started = time.perf_counter()
        detector.tick(start_ms + i * 1000)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def bench(homes: int = 200, hours: float = 24.0, seed: int = 1) -> dict[str, Any]:
    items = workload(homes, hours, seed)
    end = items[-1][0]
    rates: dict[str, list[float]] = {"baseline": [], "activity": [], "supervision": []}
    ticks: dict[str, float] = {}
    for _ in range(3):  # interleaved repeats; medians, since the machine is shared
        rates["baseline"].append(_events_per_s(_Baseline(), items))
        activity = ActivityDetector(timezone="UTC")
        rates["activity"].append(_events_per_s(activity, items))
        supervision = SupervisionDetector()
        rates["supervision"].append(_events_per_s(supervision, items))
        ticks["activity"] = _tick_ms(activity, end + 1000, 20)
        ticks["supervision"] = _tick_ms(supervision, end + 1000, 20)
    med = {name: statistics.median(values) for name, values in rates.items()}
    per_home_tick_ms = (ticks["activity"] + ticks["supervision"]) / homes
    load_10k = 10_000 * 0.03 / min(med["activity"], med["supervision"])  # share of one core
    tick_10k = 10_000 * per_home_tick_ms / 1000  # share of one core, one tick per second
    return {
        "homes": homes,
        "events": len(items),
        "events_per_s": {k: round(v) for k, v in med.items()},
        "ratio_to_baseline": {
            k: round(med["baseline"] / med[k], 1) for k in ("activity", "supervision")
        },
        "tick_ms_all_homes": {k: round(v, 3) for k, v in ticks.items()},
        "core_share_10k_homes": {
            "events_at_0.03_per_home_s": round(load_10k, 4),
            "ticks_once_per_s": round(tick_10k, 4),
        },
        "keeps_up_with_10k_homes": load_10k + tick_10k < 1.0,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(bench(), indent=1))
