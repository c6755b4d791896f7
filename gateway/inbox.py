"""What paho's network threads hand the gateway's pump, under one condition variable.

The callbacks run on paho's threads and only append or flip a flag, then wake the pump; the
pump (`Gateway.step`) takes everything at once. Nothing here touches the queue or the network.
"""

from __future__ import annotations

import logging
import threading
from typing import NamedTuple

import paho.mqtt.client as mqtt
from paho.mqtt.reasoncodes import ReasonCode
from paho.mqtt.subscribeoptions import SubscribeOptions

from gateway import links
from gateway.config import GatewayConfig

log = logging.getLogger("anju.gateway")
ACK_BATCH = 64  # wake the pump once this many PUBACKs wait (or on its short idle timeout)


class Arrived(NamedTuple):
    """A message from the local broker, reduced to what the pump needs. paho's MQTTMessage is not
    kept: under MQTT v5 each one carries its own `Properties` (two lookup tables of 27 entries,
    ~7 KB and ~100 objects per message); 2,000 of them waiting for the pump were the peak RSS."""

    topic: str
    payload: bytes
    retain: bool
    mid: int
    qos: int


class Taken(NamedTuple):
    incoming: list[Arrived]
    acked: list[tuple[int, bool]]  # (mid, refused)
    commands: list[mqtt.MQTTMessage]
    generation: int  # upstream connections so far: a new one means a new link
    connected: bool


class Inbox:
    def __init__(self, cfg: GatewayConfig) -> None:
        self.cfg = cfg
        self._cond = threading.Condition()
        self._incoming: list[Arrived] = []
        self._acked: list[tuple[int, bool]] = []
        self._commands: list[mqtt.MQTTMessage] = []
        self._generation = 0
        self.connected = False  # upstream
        self.local_ready = False  # subscribed on the local broker: devices are heard

    def wire(self, local: mqtt.Client, upstream: mqtt.Client) -> None:
        local.on_connect = self._local_connected
        local.on_message = self._local_message
        local.on_subscribe = self._local_subscribed
        local.on_disconnect = self._local_lost
        upstream.on_connect = self._up_connected
        upstream.on_disconnect = self._up_disconnected
        upstream.on_publish = self._up_published
        upstream.on_message = self._up_message

    def take(self, wait_s: float | None) -> Taken:
        """Everything handed over so far; with `wait_s`, first wait that long for something."""
        with self._cond:
            busy = self._incoming or self._commands or len(self._acked) >= ACK_BATCH
            if wait_s is not None and not busy:
                self._cond.wait(wait_s)
            taken = Taken(
                self._incoming, self._acked, self._commands, self._generation, self.connected
            )
            self._incoming, self._acked, self._commands = [], [], []
        return taken

    # -- the home's broker ---------------------------------------------------------------------
    def _local_connected(
        self, client: mqtt.Client, _u: object, _f: object, rc: ReasonCode, _p: object = None
    ) -> None:
        if rc.is_failure:
            log.warning("local broker refused the gateway: %s", rc)
            return
        options = SubscribeOptions(qos=1, retainHandling=1)
        client.subscribe(links.local_filter(self.cfg), options=options)
        log.info("local broker connected")

    def _local_subscribed(self, _c: mqtt.Client, _u: object, _mid: int, *_rest: object) -> None:
        with self._cond:
            self.local_ready = True
            self._cond.notify()

    def _local_lost(self, _c: mqtt.Client, _u: object, *_rest: object) -> None:
        with self._cond:
            self.local_ready = False  # until the reconnect's subscription is acknowledged
            self._cond.notify()

    def _local_message(self, _c: mqtt.Client, _u: object, message: mqtt.MQTTMessage) -> None:
        try:
            name = message.topic
        except UnicodeDecodeError:  # not a contract topic: the pump acknowledges and skips it
            name = ""
        arrived = Arrived(name, bytes(message.payload), message.retain, message.mid, message.qos)
        with self._cond:
            self._incoming.append(arrived)
            self._cond.notify()

    # -- Anju's broker -------------------------------------------------------------------------
    def _up_connected(
        self, client: mqtt.Client, _u: object, flags: object, rc: ReasonCode, _p: object = None
    ) -> None:
        if rc.is_failure:
            log.warning("upstream refused the gateway: %s", rc)
            return
        client.subscribe(links.command_filter(self.cfg), qos=1)
        with self._cond:
            self._generation += 1
            self.connected = True
            self._cond.notify()
        log.info("upstream connected (%s)", flags)

    def _up_disconnected(
        self, _c: mqtt.Client, _u: object, _f: object, rc: ReasonCode, _p: object = None
    ) -> None:
        with self._cond:
            self.connected = False
            self._cond.notify()
        log.warning("upstream lost: %s", rc)

    def _up_published(
        self, _c: mqtt.Client, _u: object, mid: int, rc: ReasonCode, _p: object = None
    ) -> None:
        with self._cond:
            self._acked.append((mid, rc.is_failure))
            if len(self._acked) >= ACK_BATCH:
                self._cond.notify()

    def _up_message(self, _c: mqtt.Client, _u: object, message: mqtt.MQTTMessage) -> None:
        with self._cond:
            self._commands.append(message)
            self._cond.notify()
