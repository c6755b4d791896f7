"""The gateway's configuration: command-line flags, each with an ANJU_GW_* environment default."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from pathlib import Path

VERSION = "0.1.0"


@dataclass
class GatewayConfig:
    home_id: str
    gateway_id: str = "gateway"
    queue_path: Path = Path("var/gateway-queue.db")
    # local broker the home's devices publish to
    local_host: str = "127.0.0.1"
    local_port: int = 1883
    # Anju's broker
    upstream_host: str = "127.0.0.1"
    upstream_port: int = 1883
    username: str | None = None
    password: str | None = None
    tls_ca: Path | None = None
    tls_cert: Path | None = None
    tls_key: Path | None = None
    session_expiry_s: int = 7 * 24 * 3600
    keepalive_s: int = 30
    reconnect_max_s: float = 5.0
    # durable queue
    max_rows: int = 1_000_000
    max_bytes: int = 256 * 1024 * 1024
    synchronous: str = "FULL"
    # replay and flow
    replay_rate: float = 8000.0
    replay_burst: int = 1000
    window: int = 2000  # QoS 1 messages in flight upstream (far below paho's 65,535)
    # replay may hold at most this many messages in flight and hand paho this many per step:
    # a live message then queues behind a few hundred replayed ones at most, not thousands
    replay_window: int = 500
    replay_step: int = 100
    # supervision
    heartbeat_s: float = 60.0
    device_timeout_s: float = 600.0
    # local fallback for alarms while upstream is down
    alarm_ack_timeout_s: float = 10.0  # unacknowledged this long: local fallback too
    siren_device: str | None = None
    sms_numbers: list[str] = field(default_factory=list)
    modem_outbox: Path | None = None


def _env(name: str, default: object = None) -> str | None:
    value = os.environ.get(f"ANJU_GW_{name.upper()}")
    return value if value is not None else (None if default is None else str(default))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    d = GatewayConfig(home_id="")
    flags: list[tuple[str, type, object, str]] = [
        ("home", str, None, "home id (required)"),
        ("gateway_id", str, d.gateway_id, "the gateway's own device id"),
        ("queue", Path, d.queue_path, "durable queue file (SQLite)"),
        ("local_host", str, d.local_host, "local broker host"),
        ("local_port", int, d.local_port, "local broker port"),
        ("upstream_host", str, d.upstream_host, "Anju's broker host"),
        ("upstream_port", int, d.upstream_port, "Anju's broker port"),
        ("username", str, None, "upstream username"),
        ("password", str, None, "upstream password"),
        ("tls_ca", Path, None, "CA file: enables TLS upstream"),
        ("tls_cert", Path, None, "client certificate (TLS)"),
        ("tls_key", Path, None, "client key (TLS)"),
        ("session_expiry_s", int, d.session_expiry_s, "upstream session expiry"),
        ("keepalive_s", int, d.keepalive_s, "MQTT keepalive"),
        ("reconnect_max_s", float, d.reconnect_max_s, "longest wait between reconnects"),
        ("max_rows", int, d.max_rows, "queue bound: rows"),
        ("max_bytes", int, d.max_bytes, "queue bound: payload bytes"),
        ("synchronous", str, d.synchronous, "SQLite synchronous: FULL or NORMAL"),
        ("replay_rate", float, d.replay_rate, "replay rate after an outage, messages/s"),
        ("replay_burst", int, d.replay_burst, "replay token bucket size"),
        ("window", int, d.window, "QoS 1 messages in flight upstream"),
        ("replay_window", int, d.replay_window, "replayed messages in flight upstream"),
        ("replay_step", int, d.replay_step, "replayed messages handed over per step"),
        ("heartbeat_s", float, d.heartbeat_s, "gateway heartbeat interval"),
        ("device_timeout_s", float, d.device_timeout_s, "silence before a device is offline"),
        (
            "alarm_ack_timeout_s",
            float,
            d.alarm_ack_timeout_s,
            "alarm unacknowledged upstream: fallback",
        ),
        ("siren_device", str, None, "local device to announce alarms on while offline"),
        ("sms_numbers", str, None, "comma-separated numbers to text alarms to while offline"),
        ("modem_outbox", Path, None, "simulated modem: file the SMS are written to"),
    ]
    for name, kind, default, help_text in flags:
        parser.add_argument(
            "--" + name.replace("_", "-"),
            dest=name,
            type=kind,
            default=_env(name, default),
            help=f"{help_text} (env ANJU_GW_{name.upper()})",
        )


def from_args(args: argparse.Namespace) -> GatewayConfig:
    if not args.home:
        raise SystemExit("--home (or ANJU_GW_HOME) is required")

    def opt_path(value: object) -> Path | None:
        return Path(str(value)) if value else None

    numbers = [n.strip() for n in str(args.sms_numbers or "").split(",") if n.strip()]
    return GatewayConfig(
        home_id=str(args.home),
        gateway_id=str(args.gateway_id),
        queue_path=Path(str(args.queue)),
        local_host=str(args.local_host),
        local_port=int(args.local_port),
        upstream_host=str(args.upstream_host),
        upstream_port=int(args.upstream_port),
        username=args.username or None,
        password=args.password or None,
        tls_ca=opt_path(args.tls_ca),
        tls_cert=opt_path(args.tls_cert),
        tls_key=opt_path(args.tls_key),
        session_expiry_s=int(args.session_expiry_s),
        keepalive_s=int(args.keepalive_s),
        reconnect_max_s=float(args.reconnect_max_s),
        max_rows=int(args.max_rows),
        max_bytes=int(args.max_bytes),
        synchronous=str(args.synchronous).upper(),
        replay_rate=float(args.replay_rate),
        replay_burst=int(args.replay_burst),
        window=int(args.window),
        replay_window=int(args.replay_window),
        replay_step=int(args.replay_step),
        heartbeat_s=float(args.heartbeat_s),
        device_timeout_s=float(args.device_timeout_s),
        alarm_ack_timeout_s=float(args.alarm_ack_timeout_s),
        siren_device=args.siren_device or None,
        sms_numbers=numbers,
        modem_outbox=opt_path(args.modem_outbox),
    )
