"""The embedded broker (amqtt) carries a 3.1.1 ingest session end to end."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from broker.embedded import EmbeddedBroker
from domain.clock import SystemClock
from domain.topics import topic
from ingest.service import IngestOptions, IngestService
from tests.ingest.helpers import open_stores, provision, reading, wait_until


@pytest.fixture
def embedded() -> Iterator[EmbeddedBroker]:
    broker = EmbeddedBroker().start()
    try:
        yield broker
    finally:
        broker.stop()


def _publish_311(port: int, items: list[tuple[str, bytes]]) -> None:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="dev-311", protocol=mqtt.MQTTv311)
    connected = threading.Event()
    client.on_connect = lambda *_a: connected.set()
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        assert connected.wait(10)
        infos = [client.publish(name, payload, qos=1) for name, payload in items]
        for info in infos:
            assert info.rc == mqtt.MQTT_ERR_SUCCESS
            info.wait_for_publish(10)
    finally:
        client.disconnect()
        client.loop_stop()


def test_ingest_over_mqtt_311_on_the_embedded_broker(
    embedded: EmbeddedBroker, tmp_path: Path
) -> None:
    ts, state = open_stores(tmp_path)
    provision(state, {"h1": ["d1"]})
    options = IngestOptions(
        port=embedded.port, client_id="ingest-311", protocol="3.1.1", share_group=None
    )
    service = IngestService(ts, state, SystemClock(), options=options).start()
    try:
        assert service.wait_connected(10)
        time.sleep(0.3)  # the subscription is in place
        name = topic("h1", "d1", "reading")
        _publish_311(embedded.port, [(name, reading(seq)) for seq in range(1, 51)])
        wait_until(lambda: ts.count() == 50, 20, "50 readings stored")

        # the session is persistent: what arrives while ingest is away waits for it
        service.stop()
        _publish_311(embedded.port, [(name, reading(seq)) for seq in range(51, 61)])
        service = IngestService(ts, state, SystemClock(), options=options).start()
        wait_until(lambda: ts.count() == 60, 20, "readings queued while away")
        assert service.healthy
        keys = sorted(s for _, s in ts.keys_since(0))
        assert keys == list(range(1, 61))
    finally:
        service.stop()
        ts.close()
        state.close()


def test_embedded_broker_as_a_process(tmp_path: Path) -> None:
    import subprocess
    import sys

    from broker.mosquitto import free_port, wait_for_port

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "broker.embedded", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port("127.0.0.1", port, 20)
        got: list[Any] = []
        sub = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
        subscribed = threading.Event()
        sub.on_connect = lambda c, *_a: c.subscribe("anju/v1/#", qos=1)
        sub.on_subscribe = lambda *_a: subscribed.set()
        sub.on_message = lambda _c, _u, m: got.append(m.payload)
        sub.connect("127.0.0.1", port)
        sub.loop_start()
        assert subscribed.wait(10)
        _publish_311(port, [(topic("h1", "d1", "reading"), b"x")])
        wait_until(lambda: got == [b"x"], 10, "message through the broker process")
        sub.disconnect()
        sub.loop_stop()
    finally:
        proc.terminate()
        assert proc.wait(15) == 0
