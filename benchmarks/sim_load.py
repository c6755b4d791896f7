"""Load profile of the simulator: 10,000 homes in real time from one process, and the day's rhythm.

    .venv/bin/python benchmarks/sim_load.py [--homes 10000] [--seconds 120] [--json]

1. Rhythm: `--rhythm-homes` homes (default 500) simulated for a whole day as fast as possible
   into a counting sink; the hourly message rate is scaled to `--homes` (messages per second by
   local hour: morning peak, quiet night).
2. Real time: `--homes` homes at speed 1 over `--connections` shared MQTT connections to a
   Mosquitto started for the run (Anju's configuration), for `--seconds` after the start-up
   burst (every device announces itself). Reports messages/s, all acknowledged by the broker,
   the process's peak RSS and CPU share.
3. Baseline, same run: a bare paho publisher sends the same number of pre-encoded messages at
   the same rate over the same number of connections; `cpu_ratio` = simulator CPU / baseline CPU.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from broker.mosquitto import Mosquitto
from firmware_sim.engine import Engine
from firmware_sim.homes import build_homes
from firmware_sim.mqtt import MqttSink
from firmware_sim.provision import CountingSink
from firmware_sim.runner import Simulation

DAY = 86400.0
TZ = 8 * 3600.0


class HourlySink(CountingSink):
    def __init__(self) -> None:
        super().__init__()
        self.engine: Engine | None = None
        self.hourly: Counter[int] = Counter()

    def publish(self, home_id: str, topic: str, payload: bytes, qos: int, retain: bool) -> None:
        super().publish(home_id, topic, payload, qos, retain)
        now = 0.0 if self.engine is None else self.engine.now
        self.hourly[int(((now + TZ) % DAY) // 3600)] += 1


def rhythm(homes: int, scale_to: int, seed: int) -> dict[str, Any]:
    start = (time.time() // DAY) * DAY - TZ  # local midnight (UTC+8)
    sink = HourlySink()
    sim = Simulation(build_homes(homes, seed), sink, seed=seed, start=start - DAY)
    sink.engine = sim.engine
    sim.start()
    sim.run(DAY)  # day 0: warm-up, not counted
    sink.hourly.clear()
    sim.run(DAY)
    per_s = {h: round(sink.hourly[h] / 3600 * scale_to / homes, 1) for h in range(24)}
    return {
        "homes_simulated": homes,
        "scaled_to": scale_to,
        "msgs_per_s_by_local_hour": per_s,
        "mean_per_s": round(sum(per_s.values()) / 24, 1),
        "peak_hour": max(per_s, key=lambda h: per_s[h]),
        "peak_per_s": max(per_s.values()),
        "quietest_hour": min(per_s, key=lambda h: per_s[h]),
        "quietest_per_s": min(per_s.values()),
    }


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def realtime(n: int, seconds: float, connections: int, port: int, seed: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    homes = build_homes(n, seed)
    sink = MqttSink(
        "127.0.0.1", port, [h.home_id for h in homes], connections=connections, seed=seed
    )
    sink.start()
    sim = Simulation(homes, sink, seed=seed, start=time.time())
    sim.start()
    build_s = time.perf_counter() - t0
    stop = threading.Event()
    sim.run(20.0, speed=1.0, stop=stop)  # start-up burst: every device says "online"
    sink.flush(60.0)
    base_msgs, w0, c0 = sink.published, time.perf_counter(), time.process_time()
    rss: list[float] = []
    step = 5.0
    while time.perf_counter() - w0 < seconds:
        sim.run(step, speed=1.0, stop=stop)
        rss.append(_rss_mb())
    wall = time.perf_counter() - w0
    cpu = time.process_time() - c0
    sent = sink.published - base_msgs
    acked = sink.flush(30.0)
    sink.stop()
    return {
        "homes": n,
        "devices": sum(len(h.devices) for h in homes),
        "connections": connections,
        "build_s": round(build_s, 1),
        "wall_s": round(wall, 1),
        "messages": sent,
        "msgs_per_s": round(sent / wall, 1),
        "all_acked": acked,
        "cpu_share": round(cpu / wall, 3),
        "rss_mb_median": round(sorted(rss)[len(rss) // 2], 1) if rss else None,
        "rss_mb_peak": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def baseline(messages: int, seconds: float, connections: int, port: int) -> dict[str, Any]:
    """A bare paho publisher: same count, same rate, same connections, pre-encoded payloads."""
    payload = b'{"v":1,"seq":1,"ts":1767225600000,"values":{"heart_rate":71.0,"steps":1200}}'
    clients = []
    for i in range(connections):
        c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"baseline-{i}")
        c.max_queued_messages_set(0)
        c.connect("127.0.0.1", port)
        c.loop_start()
        clients.append(c)
    time.sleep(1.0)
    interval = seconds / max(messages, 1)
    w0, c0 = time.perf_counter(), time.process_time()
    infos: list[mqtt.MQTTMessageInfo] = []
    for k in range(messages):
        due = w0 + k * interval
        delay = due - time.perf_counter()
        if delay > 0.002:
            time.sleep(delay)
        info = clients[k % connections].publish(f"anju/v1/bl{k % 997}/dev/reading", payload, qos=1)
        infos.append(info)
        if len(infos) > 5000:
            infos = [i for i in infos if not i.is_published()]
    for pending in infos:
        pending.wait_for_publish(30)
    wall = time.perf_counter() - w0
    cpu = time.process_time() - c0
    for c in clients:
        c.disconnect()
        c.loop_stop()
    return {"messages": messages, "wall_s": round(wall, 1), "cpu_share": round(cpu / wall, 3)}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--homes", type=int, default=10_000)
    p.add_argument("--seconds", type=float, default=120.0)
    p.add_argument("--connections", type=int, default=8)
    p.add_argument("--rhythm-homes", type=int, default=500)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    out: dict[str, Any] = {"rhythm": rhythm(a.rhythm_homes, a.homes, a.seed)}
    with tempfile.TemporaryDirectory() as tmp:
        broker = Mosquitto(Path(tmp))
        broker.start()
        try:
            rt = realtime(a.homes, a.seconds, a.connections, broker.port, a.seed)
            bl = baseline(rt["messages"], rt["wall_s"], a.connections, broker.port)
        finally:
            broker.stop()
    out["realtime"] = rt
    out["baseline"] = bl
    out["cpu_ratio"] = round(rt["cpu_share"] / max(bl["cpu_share"], 1e-9), 2)
    if a.json:
        print(json.dumps(out))
    else:
        print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
