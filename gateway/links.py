"""The gateway's two MQTT sessions: the home's local broker and Anju's broker upstream.

Both are MQTT v5 persistent sessions (clean_start off and a session expiry: clean_start alone is
not persistent) at QoS 1. Locally the gateway acknowledges a message only once it is in the durable
queue (manual ack), and announces a Receive Maximum so that the local broker never hands it more
than it has promised to store. Upstream it carries its own credentials, optional TLS, and a Last
Will that marks the gateway offline.
"""

from __future__ import annotations

import ssl

import msgspec
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from domain.contract import Availability
from domain.topics import topic
from gateway.config import GatewayConfig

LOCAL_RECEIVE_MAXIMUM = 2000


def _connect_properties(session_expiry_s: int, receive_maximum: int | None = None) -> Properties:
    props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    props.SessionExpiryInterval = session_expiry_s
    if receive_maximum is not None:
        props.ReceiveMaximum = receive_maximum
    return props


def local_client(cfg: GatewayConfig) -> mqtt.Client:
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=f"anju-gw-{cfg.home_id}-{cfg.gateway_id}-local",
        protocol=mqtt.MQTTv5,
        manual_ack=True,
    )
    client.reconnect_delay_set(1, max(1, int(cfg.reconnect_max_s)))
    client.connect_async(
        cfg.local_host,
        cfg.local_port,
        keepalive=cfg.keepalive_s,
        clean_start=False,
        properties=_connect_properties(cfg.session_expiry_s, LOCAL_RECEIVE_MAXIMUM),
    )
    return client


def local_filter(cfg: GatewayConfig) -> str:
    return f"anju/v1/{cfg.home_id}/+/+"


def availability_payload(state: str) -> bytes:
    return msgspec.json.encode(Availability(state="online" if state == "online" else "offline"))


def upstream_client(cfg: GatewayConfig) -> mqtt.Client:
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=f"anju-gw-{cfg.home_id}-{cfg.gateway_id}",
        protocol=mqtt.MQTTv5,
    )
    if cfg.username:
        client.username_pw_set(cfg.username, cfg.password)
    if cfg.tls_ca is not None:
        client.tls_set(
            ca_certs=str(cfg.tls_ca),
            certfile=str(cfg.tls_cert) if cfg.tls_cert else None,
            keyfile=str(cfg.tls_key) if cfg.tls_key else None,
            tls_version=ssl.PROTOCOL_TLS_CLIENT,
        )
    client.will_set(
        topic(cfg.home_id, cfg.gateway_id, "availability"),
        availability_payload("offline"),
        qos=1,
        retain=True,
    )
    # The gateway keeps its own window (cfg.window). paho's limit must stay off: with one set,
    # every PUBACK walks all unacknowledged messages (O(window) per message).
    client.max_inflight_messages_set(0)
    client.max_queued_messages_set(0)
    client.reconnect_delay_set(1, max(1, int(cfg.reconnect_max_s)))
    client.connect_async(
        cfg.upstream_host,
        cfg.upstream_port,
        keepalive=cfg.keepalive_s,
        clean_start=False,
        properties=_connect_properties(cfg.session_expiry_s),
    )
    return client


def command_filter(cfg: GatewayConfig) -> str:
    return f"anju/v1/{cfg.home_id}/+/cmd"
