"""Ingest's MQTT client: a persistent session with manual PUBACK, sized to ingest's queue."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from ingest.options import IngestOptions


def make_client(
    o: IngestOptions,
    on_connect: Callable[..., None],
    on_disconnect: Callable[..., None],
    on_message: Callable[[mqtt.Client, Any, mqtt.MQTTMessage], None],
) -> mqtt.Client:
    v5 = o.protocol == "5"
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=o.client_id,
        protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311,
        clean_session=None if v5 else False,
        manual_ack=True,
    )
    if o.username is not None:
        client.username_pw_set(o.username, o.password)
    if o.tls:
        client.tls_set(tls_version=ssl.PROTOCOL_TLS_CLIENT)
    # paho's hints say int, its arithmetic takes seconds as float; a quick first retry
    # narrows the window in which a restarted broker has no subscription for us
    client.reconnect_delay_set(o.reconnect_min_s, o.reconnect_max_s)  # type: ignore[arg-type]
    client.max_queued_messages_set(0)
    client.on_connect = on_connect
    client.on_disconnect = on_disconnect
    client.on_message = on_message
    return client


def connect(client: mqtt.Client, o: IngestOptions) -> None:
    """Start connecting in the background: MQTT v5 keeps the session `session_expiry_s`."""
    client.connect_async(
        o.host,
        o.port,
        keepalive=o.keepalive_s,
        clean_start=False if o.protocol == "5" else mqtt.MQTT_CLEAN_START_FIRST_ONLY,
        properties=_connect_properties(o),
    )


def _connect_properties(o: IngestOptions) -> Properties | None:
    if o.protocol != "5":
        return None
    props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    props.SessionExpiryInterval = o.session_expiry_s
    # the broker never has more unacknowledged messages out than our queue can hold
    props.ReceiveMaximum = min(o.queue_max, 65535)
    return props
