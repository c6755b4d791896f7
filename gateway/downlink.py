"""What the gateway says and does itself: heartbeats, its availability, commands, fallbacks.

Commands from Anju arrive on `anju/v1/{home}/+/cmd`. Those addressed to the gateway are obeyed
here (set_heartbeat_interval, report_version, configure) and answered with a `command_result`
event that goes through the durable queue like any event. Commands for a device are forwarded to
the local broker; a device's new heartbeat interval also sets its supervision timeout.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
import paho.mqtt.client as mqtt

from domain.contract import SCHEMA_VERSION, Command, CommandResult, Status
from domain.topics import topic
from gateway import links
from gateway.config import VERSION
from gateway.fallback import (
    AlarmNotice,
    Fallback,
    Fallbacks,
    SimulatedModem,
    SirenFallback,
    SmsFallback,
)
from gateway.priority import EVENT
from gateway.queue import Item

if TYPE_CHECKING:
    from gateway.service import Gateway

log = logging.getLogger("anju.gateway")
CONFIGURABLE = {
    "replay_rate": float,
    "replay_burst": int,
    "device_timeout_s": float,
    "heartbeat_s": float,
    "max_rows": int,
    "max_bytes": int,
}


class Downlink:
    def __init__(self, gateway: Gateway) -> None:
        self.gw = gateway
        cfg = gateway.cfg
        self._status_topic = topic(cfg.home_id, cfg.gateway_id, "status")
        self._avail_topic = topic(cfg.home_id, cfg.gateway_id, "availability")
        self._event_topic = topic(cfg.home_id, cfg.gateway_id, "event")
        self._next_heartbeat = 0.0
        self._next_state = 0.0
        self._told_local = False
        self.state_path = Path(f"{cfg.queue_path}.state.json")
        targets: list[Fallback] = []
        if cfg.siren_device:
            targets.append(SirenFallback(gateway.local, cfg.home_id, cfg.siren_device))
        if cfg.sms_numbers and cfg.modem_outbox is not None:
            targets.append(SmsFallback(SimulatedModem(cfg.modem_outbox), cfg.sms_numbers))
        self._fallbacks = Fallbacks(targets)
        self._notices: queue.SimpleQueue[AlarmNotice] = queue.SimpleQueue()
        threading.Thread(target=self._fallback_worker, name="fallback", daemon=True).start()

    # -- fallback: its own thread, a modem may be slow -----------------------------------------
    def fallback(self, notice: AlarmNotice) -> None:
        self._notices.put(notice)

    def _fallback_worker(self) -> None:
        while True:
            notice = self._notices.get()
            try:
                if self._fallbacks.alarm(notice):
                    self.gw.stats.fallbacks += 1
                    log.warning("upstream down: local fallback for %s", notice)
            except Exception:
                log.exception("local fallback failed for %s", notice)

    # -- what the gateway publishes ------------------------------------------------------------
    def availability_item(self, device: str, state: str) -> Item:
        name = topic(self.gw.cfg.home_id, device, "availability")
        return Item(EVENT, name, links.availability_payload(state), retain=True)

    def status(self) -> bytes:
        gw = self.gw
        return msgspec.json.encode(
            Status(
                v=SCHEMA_VERSION,
                seq=gw.queue.next_seq(),
                ts=int(gw.clock.now() * 1000),
                fw=VERSION,
                uptime_s=int(max(gw.clock.now() - gw.started, 0)),
                queued=gw.queue.rows,
                evicted=gw.queue.evicted,
            )
        )

    def link_up(self) -> None:
        up = self.gw.upstream
        up.publish(self._avail_topic, links.availability_payload("online"), qos=1, retain=True)
        up.publish(self._status_topic, self.status(), qos=1)  # reports evictions at once
        self._next_heartbeat = self.gw.clock.now() + self.gw.cfg.heartbeat_s

    def periodic(self, connected: bool) -> None:
        gw = self.gw
        now = gw.clock.now()
        if connected and now >= self._next_heartbeat:
            gw.upstream.publish(self._status_topic, self.status(), qos=1)
            self._next_heartbeat = now + gw.cfg.heartbeat_s
        changes = gw.supervisor.tick(now)
        if changes:
            gw.queue.put_many([self.availability_item(c.device, c.state) for c in changes])
        if now >= self._next_state or gw.local_ready != self._told_local:
            self._next_state = now + 1.0
            self._told_local = gw.local_ready
            self.write_state(connected)

    def write_state(self, connected: bool) -> None:
        """Link status and queue figures for the people in the home (and tests, benchmarks)."""
        gw = self.gw
        stats = gw.stats
        state = {
            "upstream": "online" if connected else "offline",
            "local": "subscribed" if gw.local_ready else "connecting",
            "queued": gw.queue.rows,
            "queued_bytes": gw.queue.bytes,
            "evicted": gw.queue.evicted,
            "inflight": len(gw._inflight),
            "devices_online": gw.supervisor.online(),
            "stored": stats.stored,
            "published": stats.published,
            "acked": stats.acked,
            "refused": stats.refused,
            "fallbacks": stats.fallbacks,
            "replay_started_at": stats.replay_started_at,
            "replay_done_at": stats.replay_done_at,
        }
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state), encoding="utf-8")
        tmp.replace(self.state_path)

    def goodbye(self) -> None:
        """Graceful stop: say offline (the Last Will only fires on a broken connection)."""
        up = self.gw.upstream
        if self.gw.connected:
            info = up.publish(self._avail_topic, links.availability_payload("offline"), 1, True)
            with contextlib.suppress(RuntimeError, ValueError):
                info.wait_for_publish(2.0)
        up.disconnect()
        self.gw.local.disconnect()

    # -- commands ------------------------------------------------------------------------------
    def handle(self, messages: list[mqtt.MQTTMessage]) -> None:
        gw = self.gw
        for message in messages:
            device = message.topic.split("/")[3]
            try:
                command = msgspec.json.decode(message.payload, type=Command)
            except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                log.warning("bad command on %s: %s", message.topic, exc)
                continue
            if device != gw.cfg.gateway_id:
                gw.local.publish(message.topic, message.payload, qos=1)
                seconds = command.args.get("seconds")
                if command.name == "set_heartbeat_interval" and isinstance(seconds, int | float):
                    gw.supervisor.set_heartbeat(device, float(seconds), gw.clock.now())
                continue
            ok, detail = self._obey(command)
            self._answer(command.id, ok, detail)

    def _obey(self, command: Command) -> tuple[bool, str]:
        gw = self.gw
        if command.name == "report_version":
            return True, f"anju-gateway {VERSION}"
        if command.name == "set_heartbeat_interval":
            seconds = command.args.get("seconds")
            if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds <= 0:
                return False, "args.seconds must be a positive number"
            gw.cfg.heartbeat_s = float(seconds)
            self._next_heartbeat = gw.clock.now() + gw.cfg.heartbeat_s
            return True, f"heartbeat every {seconds} s"
        if command.name == "configure":
            return self._configure(command.args)
        return False, f"{command.name} is not supported by the gateway"

    def _configure(self, args: dict[str, str | int | float | bool]) -> tuple[bool, str]:
        gw, cfg = self.gw, self.gw.cfg
        unknown = sorted(set(args) - set(CONFIGURABLE))
        if unknown:
            return False, f"unknown settings: {', '.join(unknown)}"
        try:
            values = {k: CONFIGURABLE[k](v) for k, v in args.items()}
        except (TypeError, ValueError) as exc:
            return False, str(exc)
        if any(v <= 0 for v in values.values()):
            return False, "settings must be positive"
        for key, value in values.items():
            setattr(cfg, key, value)
        gw.bucket.configure(cfg.replay_rate, cfg.replay_burst)
        gw.supervisor.default_timeout_s = cfg.device_timeout_s
        gw.queue.max_rows, gw.queue.max_bytes = cfg.max_rows, cfg.max_bytes
        return True, ", ".join(f"{k}={v}" for k, v in sorted(values.items()))

    def _answer(self, command_id: str, ok: bool, detail: str) -> None:
        gw = self.gw
        result = CommandResult(
            v=SCHEMA_VERSION,
            seq=gw.queue.next_seq(),
            ts=int(gw.clock.now() * 1000),
            id=command_id,
            ok=ok,
            detail=detail[:500],
        )
        gw.queue.put_many([Item(EVENT, self._event_topic, msgspec.json.encode(result))])
