"""The MQTT side: a few paho connections carry all simulated homes (one thread per connection).

`per_home=True` gives each home gateway its own connection whose Last Will marks the gateway
offline (what a real home does; used by the demo and small runs). With shared connections (the
10,000-home load profile) each connection carries many homes, the way a regional concentrator
would, and the simulator publishes a home's "gateway offline" itself when that home's internet
drops. Reconnects use paho's exponential backoff with a minimum drawn per connection, so many
gateways that lose the broker at once do not come back in lock-step.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from domain.contract import Availability
from domain.topics import topic

MAX_OUTSTANDING = 4000  # unacknowledged QoS 1 messages per connection before publish() waits


@dataclass(frozen=True, slots=True)
class Incoming:
    home_id: str
    device_id: str
    payload: bytes


class _Conn:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        client_id: str,
        homes: list[str],
        protocol: str,
        rng: np.random.Generator,
        commands: queue.SimpleQueue[Incoming],
        will_home: str | None,
    ) -> None:
        version = mqtt.MQTTv5 if protocol == "5" else mqtt.MQTTv311
        self.v5 = version == mqtt.MQTTv5
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, protocol=version
        )
        self.client.max_queued_messages_set(0)
        self.client.max_inflight_messages_set(200)
        self.host, self.port = host, port
        self.homes = homes
        self.commands = commands
        self.cond = threading.Condition()
        self.outstanding = 0
        self.connected = threading.Event()
        self.published = 0
        self.failed = 0
        base = float(rng.uniform(0.5, 1.5))
        self.client.reconnect_delay_set(min_delay=max(1, round(base)), max_delay=60)
        if will_home is not None:
            payload = Availability(state="offline")
            import msgspec

            self.client.will_set(
                topic(will_home, f"{will_home}-gw", "availability"),
                msgspec.json.encode(payload),
                qos=1,
                retain=True,
            )
        self.client.on_connect = self._on_connect
        self.client.on_publish = self._on_publish
        self.client.on_message = self._on_message
        self.client.on_disconnect = self._on_disconnect

    def start(self) -> None:
        props = None
        if self.v5:
            props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
            props.SessionExpiryInterval = 3600
        self.client.connect_async(
            self.host,
            self.port,
            keepalive=30,
            clean_start=False if self.v5 else mqtt.MQTT_CLEAN_START_FIRST_ONLY,
            properties=props,
        )
        self.client.loop_start()

    def _on_connect(
        self, client: mqtt.Client, _u: object, _f: object, rc: object, _p: object = None
    ) -> None:
        if getattr(rc, "is_failure", False):
            return
        if len(self.homes) <= 50:
            for h in self.homes:
                client.subscribe(f"anju/v1/{h}/+/cmd", qos=1)
        else:
            client.subscribe("anju/v1/+/+/cmd", qos=1)
        self.connected.set()

    def _on_disconnect(self, *_args: object) -> None:
        self.connected.clear()

    def _on_publish(self, *_args: object) -> None:
        with self.cond:
            self.outstanding -= 1
            self.cond.notify()

    def _on_message(self, _c: mqtt.Client, _u: object, msg: mqtt.MQTTMessage) -> None:
        parts = msg.topic.split("/")
        if len(parts) == 5 and parts[2] in self._home_set:
            self.commands.put(Incoming(parts[2], parts[3], bytes(msg.payload)))

    @property
    def _home_set(self) -> frozenset[str]:
        cached: frozenset[str] | None = getattr(self, "_hs", None)
        if cached is None:
            cached = frozenset(self.homes)
            self._hs = cached
        return cached

    def publish(self, name: str, payload: bytes, qos: int, retain: bool) -> None:
        with self.cond:
            while self.outstanding >= MAX_OUTSTANDING:
                self.cond.wait(0.5)
            self.outstanding += 1
        info = self.client.publish(name, payload, qos=qos, retain=retain)
        if info.rc not in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_NO_CONN):
            self.failed += 1
        self.published += 1
        if qos == 0:
            with self.cond:
                self.outstanding -= 1

    def drop_link(self) -> None:
        """The line goes dead: close the socket without DISCONNECT so the broker sends the Will."""
        self.client.loop_stop()
        sock = self.client.socket()
        if sock is not None:
            sock.close()
        self.connected.clear()

    def restore_link(self) -> None:
        with contextlib.suppress(OSError):  # the loop retries with backoff
            self.client.reconnect()
        self.client.loop_start()

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


class MqttSink:
    """A `Sink` over one connection per home (`per_home`) or a few shared connections."""

    def __init__(
        self,
        host: str,
        port: int,
        homes: Iterable[str],
        *,
        connections: int | None = None,
        protocol: str = "5",
        seed: int = 0,
        client_prefix: str = "anju-sim",
    ) -> None:
        home_ids = list(homes)
        rng = np.random.default_rng(seed)
        self.commands: queue.SimpleQueue[Incoming] = queue.SimpleQueue()
        self.per_home = connections is None
        groups = (
            [[h] for h in home_ids]
            if connections is None
            else [home_ids[i::connections] for i in range(connections) if home_ids[i::connections]]
        )
        self.conns = [
            _Conn(
                host,
                port,
                client_id=f"{client_prefix}-{g[0]}" if self.per_home else f"{client_prefix}-{i}",
                homes=g,
                protocol=protocol,
                rng=rng,
                commands=self.commands,
                will_home=g[0] if self.per_home else None,
            )
            for i, g in enumerate(groups)
        ]
        self._by_home = {h: c for c in self.conns for h in c.homes}

    def start(self, timeout: float = 20.0) -> None:
        for c in self.conns:
            c.start()
        for c in self.conns:
            if not c.connected.wait(timeout):
                raise ConnectionError(f"no MQTT connection to {c.host}:{c.port}")

    def publish(
        self, home_id: str, topic_name: str, payload: bytes, qos: int, retain: bool
    ) -> None:
        self._by_home[home_id].publish(topic_name, payload, qos, retain)

    def home_down(self, home_id: str) -> None:
        conn = self._by_home[home_id]
        if self.per_home:
            conn.drop_link()
        else:
            import msgspec

            offline = msgspec.json.encode(Availability(state="offline"))
            conn.publish(topic(home_id, f"{home_id}-gw", "availability"), offline, 1, True)

    def home_up(self, home_id: str) -> None:
        conn = self._by_home[home_id]
        if self.per_home:
            conn.restore_link()
            conn.connected.wait(10.0)

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every QoS 1 message is acknowledged."""
        ok = True
        for c in self.conns:
            with c.cond:
                ok = c.cond.wait_for(lambda c=c: c.outstanding <= 0, timeout) and ok  # type: ignore[misc]
        return ok

    @property
    def published(self) -> int:
        return sum(c.published for c in self.conns)

    def stop(self) -> None:
        for c in self.conns:
            c.stop()
