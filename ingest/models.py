"""Ingest's path for messages on a device model's own topics (issue 9).

A message on a vendor topic (`lumio/ls10/{device}/up`, ...) is matched to its model, the device
is looked up (it must be provisioned, and provisioned as that model), the model decodes and
validates it (contract + declared ranges), and each resulting message goes on through the usual
checks (rate limit, dedup) to the store and the detectors. Messages on the contract's own
topics keep their path through `Gate.check` unchanged.

The subscriptions follow the registry: `poll()` (called by ingest's worker between batches)
reloads changed model files and subscribes to new topic patterns / drops removed ones.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from prometheus_client import Gauge

from device_models.registry import ModelRegistry
from domain.decode import Message
from domain.model import Device
from domain.rejects import Reason, Rejected
from domain.topics import PREFIX, Topic
from ingest.gate import Accepted, Gate

log = logging.getLogger(__name__)

MODELS_LOADED = Gauge("anju_device_models", "device models loaded")
MODEL_ERRORS = Gauge("anju_device_model_errors", "model files that failed to load, now")

Verdicts = Sequence[Accepted | Rejected]
_CONTRACT = PREFIX + "/"
_ALARMING = frozenset({"panic", "fall"})


class Subscriber(Protocol):
    def subscribe(self, topic: str, qos: int = ...) -> object: ...

    def unsubscribe(self, topic: str) -> object: ...


class Checker:
    """Every raw message -> its verdicts: the contract's path, or a device model's."""

    def __init__(self, gate: Gate, models: ModelRegistry | None = None) -> None:
        self.gate = gate
        self.models = models
        self._subscribed: set[str] = set()
        self._urgent_models: frozenset[str] = frozenset()
        if models is not None:
            gate.verify = self._declared
            self._note_urgent(models)
            models.on_change(self._note_urgent)
            MODELS_LOADED.set_function(lambda: len(models))
            MODEL_ERRORS.set_function(lambda: len(models.errors))

    def urgent(self, topic: str) -> bool:
        """Whether a message may be an alarm, so it skips the queue of readings: the contract's
        events, and every message of a model that declares SOS, cancel or fall capabilities."""
        if topic.startswith(_CONTRACT) or self.models is None:
            return topic.endswith("/event")
        found = self.models.match(topic)
        return found is not None and found[0].id in self._urgent_models

    def check(self, topic: str, payload: bytes, now_ms: int) -> Verdicts:
        if self.models is None or topic.startswith(_CONTRACT):
            return (self.gate.check(topic, payload, now_ms),)
        return self._model_path(topic, payload, now_ms)

    def _declared(self, message: Message, device: Device) -> Rejected | None:
        """A contract message of a device provisioned as a known model must stay within what
        the model declares (capabilities, ranges), like a vendor model's decoded messages."""
        model = self.models.get(device.model) if self.models is not None and device.model else None
        if model is None:
            return None
        problem = model.checks.declared(message.body)
        return None if problem is None else Rejected(problem[0], f"model {model.id}: {problem[1]}")

    def _model_path(self, topic: str, payload: bytes, now_ms: int) -> Verdicts:
        assert self.models is not None
        found = self.models.match(topic)
        if found is None:
            return (Rejected(Reason.BAD_TOPIC, f"no contract or model topic: {topic[:200]!r}"),)
        model, topic_vars = found
        device_id = model.device_of(topic_vars, payload)
        if device_id is None:
            return (Rejected(Reason.DECODER, f"model {model.id}: no device id in the message"),)
        device = self.gate.directory.get(device_id)
        if device is None:
            return (Rejected(Reason.UNKNOWN_DEVICE, f"device {device_id!r} is not provisioned"),)
        if device.model != model.id:
            return (
                Rejected(
                    Reason.SPOOFED,
                    f"device {device_id!r} is a {device.model or 'contract'!r} device,"
                    f" published on model {model.id!r}'s topic",
                ),
            )
        home = topic_vars.get("home")
        if home is not None and home != device.home_id:
            return (
                Rejected(
                    Reason.SPOOFED,
                    f"device {device_id!r} belongs to home {device.home_id!r},"
                    f" published on home {home!r}",
                ),
            )
        decoded = model.decode(
            topic,
            payload,
            now_ms,
            topic_vars={**topic_vars, "device": device_id},
            seq=self.gate.next_seq,
        )
        if isinstance(decoded, Rejected):
            return (decoded,)
        admit = self.gate.admit
        return [
            admit(
                Message(Topic(device.home_id, device_id, m.topic.channel), m.body), device, now_ms
            )
            for m in decoded
        ]

    def _note_urgent(self, models: ModelRegistry) -> None:
        self._urgent_models = frozenset(
            m.id for m in models.models() if any(c.care in _ALARMING for c in m.capabilities)
        )

    # ---- subscriptions and reloads ---------------------------------------------------------

    def filters(self, share_group: str | None) -> list[str]:
        """The MQTT filters of the models' own topics (shared when ingest shares)."""
        if self.models is None:
            return []
        prefix = f"$share/{share_group}/" if share_group else ""
        return [prefix + f for f in self.models.filters()]

    def subscribe(self, client: Subscriber, share_group: str | None) -> None:
        """Subscribe to the models' topics (on connect: the broker forgets nothing it keeps in
        the session, but a first connect or a lost session needs them)."""
        wanted = set(self.filters(share_group))
        for topic in sorted(wanted):
            client.subscribe(topic, qos=1)
        self._subscribed = wanted
        if wanted:
            log.info("ingest subscribed to %d device-model topics", len(wanted))

    def poll(self, client: Subscriber | None, share_group: str | None) -> bool:
        """Reload changed model files; follow their topics. True if the models changed."""
        try:
            return self._poll(client, share_group)
        except Exception:  # a reload must never stop ingest
            log.exception("ingest: device model reload failed")
            return False

    def _poll(self, client: Subscriber | None, share_group: str | None) -> bool:
        if self.models is None or not self.models.poll():
            return False
        wanted = set(self.filters(share_group))
        if client is not None:
            for topic in sorted(wanted - self._subscribed):
                client.subscribe(topic, qos=1)
            for topic in sorted(self._subscribed - wanted):
                client.unsubscribe(topic)
        log.info(
            "device models reloaded: %d models, %d errors, topics +%d -%d",
            len(self.models),
            len(self.models.errors),
            len(wanted - self._subscribed),
            len(self._subscribed - wanted),
        )
        self._subscribed = wanted
        return True
