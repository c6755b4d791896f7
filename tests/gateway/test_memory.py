"""What a message costs the gateway while it waits for the pump (the peak RSS of an outage fill).

paho decodes every MQTT v5 PUBLISH into an MQTTMessage with its own `Properties` object (~7 KB,
~100 Python objects). Up to the local Receive Maximum (2,000) of them wait for the pump during a
burst; kept as they are, that alone was ~15 MB of the gateway's peak. The gateway keeps only
topic, payload, retain flag, message id and QoS.
"""

from __future__ import annotations

import gc
import json
import tracemalloc
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from gateway.config import GatewayConfig
from gateway.priority import EVENT, READING
from gateway.service import Gateway

N = 2000  # links.LOCAL_RECEIVE_MAXIMUM: the most the local broker hands over unacknowledged


def _as_paho_delivers(mid: int) -> mqtt.MQTTMessage:
    """What paho's network thread hands `on_message` for a v5 PUBLISH from a device."""
    message = mqtt.MQTTMessage(mid, f"anju/v1/h1/dev{mid % 20:02d}/reading".encode())
    message.qos = 1
    body = {"v": 1, "seq": mid, "ts": 1_767_225_600_000 + mid, "values": {"heart_rate": 72}}
    message.payload = json.dumps(body).encode()
    message.properties = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
    return message


def test_a_waiting_message_keeps_nothing_of_paho(tmp_path: Path) -> None:
    gateway = Gateway(GatewayConfig(home_id="h1", queue_path=tmp_path / "q.db"))
    try:
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        for mid in range(1, N + 1):
            gateway.inbox._local_message(gateway.local, None, _as_paho_delivers(mid))
        gc.collect()
        per_message = (tracemalloc.get_traced_memory()[0] - before) / N
        tracemalloc.stop()
        # topic, payload and a 5-tuple: ~300 B; paho's message with its Properties: ~7,300 B
        assert per_message < 1000, f"{per_message:.0f} B kept per waiting message"
        gateway.step(wait=False)  # the pump stores them all, then acknowledges them locally
        # every reading, and each of the 20 devices reported online (first heard)
        assert gateway.queue.count_by_priority() == {READING: N, EVENT: 20}
        assert gateway.queue.fetch(READING, 0, None, 1)[0].topic == "anju/v1/h1/dev01/reading"
    finally:
        gateway.queue.close()
