"""Anju on the simulated clock, through the broker: an accelerated run of any length.

`anju serve` judges device time against the wall clock and refuses readings more than 7 days old
(clock_past), so an accelerated month cannot go through it, and its detectors would wait on wall
time anyway. `anju sim serve` is the same Anju (`anju.wiring.build`) with one thing changed: its
injected clock is a `SimClock` that only the simulator moves. Production keeps `SystemClock` and
its clock_past window; nothing in ingest is loosened: a replayed reading is judged against the
simulated time, so the 7-day and 5-minute limits hold there too.

The two ends keep in step over a control topic outside the device namespace:

- the simulator (`ClockLeader`, `anju sim run --speed max --sim-clock`) stops every `step_s`
  simulated seconds and publishes `{"t": T, "sent": N}` on `CLOCK_TOPIC`: its time and how many
  messages it has published so far; it waits for `{"t": T}` on `ACK_TOPIC` before going on,
  so it is never more than one step ahead of Anju;
- Anju's side (`ClockFollower`) waits until ingest has handled N messages, its queue is empty
  and the detectors have finished every accepted message (`CountingSink`), then sets the clock
  to T, lets the detectors tick at T, and answers on `ACK_TOPIC`.

Readings therefore reach ingest at most one step after Anju's time (well inside the 5-minute
clock_future limit), the detectors never see time pass ahead of readings not yet handled, and
alarms are stamped with simulated time. Anju's clock lags the readings by up to one step, so a
time to alarm has the step's granularity (`--clock-step`, 30 s by default).
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from domain.clock import ManualClock
from domain.decode import Message
from domain.model import Device

CLOCK_TOPIC = "anju-sim/clock"
ACK_TOPIC = "anju-sim/clock/ack"
WAIT_S = 10.0  # longest wait for ingest to catch up before moving the clock anyway


class SimClock(ManualClock):
    """A `domain.clock.ManualClock` that only moves forward: `set` never takes it back."""

    def set(self, when: float) -> None:
        with self._lock:
            self._now = max(self._now, when)


def _client(
    host: str,
    port: int,
    client_id: str,
    topic: str,
    *,
    on_message: Callable[[mqtt.Client, Any, mqtt.MQTTMessage], None],
    auth: tuple[str, str | None] | None = None,
) -> tuple[mqtt.Client, threading.Event]:
    """A connected client that subscribes `topic` (again after a reconnect); the event is set
    once the broker has confirmed the subscription."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id)
    if auth is not None:
        client.username_pw_set(*auth)
    client.on_message = on_message
    ready = threading.Event()
    client.on_connect = lambda c, *_a: c.subscribe(topic, qos=1)
    client.on_subscribe = lambda *_a: ready.set()
    client.connect(host, port, keepalive=30)
    client.loop_start()
    return client, ready


class CountingSink:
    """Wraps ingest's sink (the detectors) and counts the messages they have finished with, so
    the clock moves only after the detectors, not just ingest's checks, are done with a step."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.done = 0

    def accept(self, items: Sequence[tuple[Message, Device]]) -> None:
        try:
            self.inner.accept(items)
        finally:
            self.done += len(items)


class ClockFollower:
    """Anju's end: moves `clock` when ingest has handled what was sent before each step."""

    def __init__(
        self,
        clock: SimClock,
        host: str,
        port: int,
        *,
        handled: Callable[[], int],
        backlog: Callable[[], int],
        settled: Callable[[], bool] = lambda: True,
        tick: Callable[[], object],
        auth: tuple[str, str | None] | None = None,
    ) -> None:
        self.clock = clock
        self.handled, self.backlog, self.settled, self.tick = handled, backlog, settled, tick
        self.steps = 0
        self.timeouts = 0  # steps where ingest had not handled `sent` messages within WAIT_S
        self._queue: queue.SimpleQueue[dict[str, Any] | None] = queue.SimpleQueue()
        self._client, self.ready = _client(
            host, port, "anju-sim-clock", CLOCK_TOPIC, on_message=self._on_message, auth=auth
        )
        self._thread = threading.Thread(target=self._run, name="sim-clock", daemon=True)

    def start(self, timeout_s: float = 10.0) -> ClockFollower:
        self._thread.start()
        if not self.ready.wait(timeout_s):
            raise TimeoutError(f"no subscription to {CLOCK_TOPIC} within {timeout_s} s")
        return self

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(5.0)
        self._client.disconnect()
        self._client.loop_stop()

    def _on_message(self, _c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        try:
            doc = json.loads(msg.payload)
            step = {"t": float(doc["t"]), "sent": int(doc["sent"])}
        except (ValueError, KeyError, TypeError):
            return  # not ours to act on
        self._queue.put(step)

    def _run(self) -> None:
        while (step := self._queue.get()) is not None:
            deadline = time.monotonic() + WAIT_S
            while self.handled() < step["sent"] or self.backlog() > 0 or not self.settled():
                if time.monotonic() > deadline:
                    self.timeouts += 1
                    break
                time.sleep(0.001)
            self.clock.set(step["t"])
            self.tick()
            self.steps += 1
            self._client.publish(ACK_TOPIC, json.dumps({"t": step["t"]}), qos=1)


class ClockLeader:
    """The simulator's end: publish the simulated time, wait until Anju has taken it."""

    def __init__(self, host: str, port: int, *, timeout_s: float = 60.0) -> None:
        self.timeout_s = timeout_s
        self._acked = threading.Condition()
        self._last_ack = float("-inf")
        self.steps = 0
        self.wait_s = 0.0  # wall time spent waiting for Anju
        self._client, ready = _client(
            host, port, "anju-sim-clock-leader", ACK_TOPIC, on_message=self._on_message
        )
        if not ready.wait(10.0):
            raise TimeoutError(f"no subscription to {ACK_TOPIC} within 10 s")

    def _on_message(self, _c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        try:
            t = float(json.loads(msg.payload)["t"])
        except (ValueError, KeyError, TypeError):
            return
        with self._acked:
            self._last_ack = max(self._last_ack, t)
            self._acked.notify_all()

    def step(self, t: float, sent: int) -> bool:
        """Anju's clock to `t` once it has handled `sent` messages; False on timeout."""
        started = time.monotonic()
        self._client.publish(CLOCK_TOPIC, json.dumps({"t": t, "sent": sent}), qos=1)
        with self._acked:
            ok = self._acked.wait_for(lambda: self._last_ack >= t, self.timeout_s)
        self.wait_s += time.monotonic() - started
        self.steps += 1
        return ok

    def stop(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()
