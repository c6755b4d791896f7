"""One loaded device model: what it declares, and `decode`, which turns one raw MQTT message of
the model into contract messages (or one reject with a counted reason)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import msgspec

from device_models import outputs
from device_models.sandbox import WATCHDOG, DecoderTimeout
from device_models.spec import Capability, DecodeContext, Decoder, Limits, Match, Supervision
from device_models.topics import TopicPattern
from domain.decode import Message, decode_body
from domain.model import DeviceKind
from domain.rejects import Reason, Rejected
from domain.topics import PREFIX, Topic

#: assigns `seq` to a message whose decoder gave none: (device id, received_ms, index of the
#: message in the payload) -> seq
SeqSource = Callable[[str, int, int], int]


def received_seq(_device_id: str, received_ms: int, index: int) -> int:
    """The default seq of a device without one: its arrival time in microseconds (grows across
    restarts without any stored counter; ingest uses a per-device counter on top)."""
    return received_ms * 1000 + index


@dataclass(frozen=True, eq=False)
class DeviceModel:
    id: str
    vendor: str
    model: str
    kind: DeviceKind
    power: str
    supervision: Supervision
    placement: str
    match: Match
    pattern: TopicPattern
    capabilities: tuple[Capability, ...]
    decoder: Decoder | None
    decoder_ref: str | None
    decoder_file: Path | None
    limits: Limits
    source: Path
    checks: outputs.Checks = field(repr=False)
    device_reader: outputs.FieldReader | None = field(default=None, repr=False)

    def capability(self, name: str) -> Capability | None:
        return next((c for c in self.capabilities if c.name == name), None)

    @property
    def battery_low(self) -> float | None:
        """The battery % under which its technical alarm fires, if the model says."""
        return next((c.low_below for c in self.capabilities if c.low_below is not None), None)

    def publish_topics(self, home_id: str, device_id: str) -> list[str]:
        """Topics the device may publish on (the broker's ACL)."""
        if "channel" in self.pattern.names:
            return [self.pattern.render(home=home_id, device=device_id, channel="+")]
        return [self.pattern.render(home=home_id, device=device_id)]

    def subscribe_topics(self, home_id: str, device_id: str) -> list[str]:
        """Topics the device may read: its own commands."""
        return [f"{PREFIX}/{home_id}/{device_id}/cmd"]

    def device_of(self, topic_vars: dict[str, str], payload: bytes) -> str | None:
        """The device id of a message: the topic's {device}, or the payload's device field."""
        device = topic_vars.get("device")
        if device is not None or self.device_reader is None:
            return device
        return self.device_reader(payload)

    def decode(
        self,
        topic: str,
        payload: bytes,
        received_ms: int,
        *,
        topic_vars: dict[str, str] | None = None,
        seq: SeqSource = received_seq,
    ) -> list[Message] | Rejected:
        """Decode and validate one message of this model (contract, then declared ranges)."""
        limit = self.limits.max_payload_bytes
        if len(payload) > limit:
            return Rejected(Reason.OVERSIZED, f"model {self.id}: {len(payload)} bytes > {limit}")
        found = self.pattern.match(topic) if topic_vars is None else topic_vars
        if found is None:
            return Rejected(Reason.BAD_TOPIC, f"model {self.id}: {topic[:200]!r} is not its topic")
        device_id = self.device_of(found, payload)
        if device_id is None:
            return Rejected(Reason.DECODER, f"model {self.id}: no device id in the message")
        where = Topic(found.get("home", ""), device_id, found.get("channel", ""))
        if self.decoder is None:
            body = decode_body(where.channel, payload, received_ms)
            if isinstance(body, Rejected):
                return body
            problem = self.checks.declared(body)
            if problem is not None:
                return Rejected(problem[0], f"model {self.id}: {problem[1]}")
            return [Message(where, body)]
        ctx = DecodeContext(device_id, topic, received_ms, found)
        try:
            raw = WATCHDOG.call(self.limits.timeout_ms / 1000.0, self.decoder, payload, ctx)
        except DecoderTimeout:
            return Rejected(
                Reason.DECODER, f"model {self.id}: decoder ran over {self.limits.timeout_ms} ms"
            )
        except (Exception, RecursionError) as exc:
            return Rejected(
                Reason.DECODER, f"model {self.id}: decoder raised {type(exc).__name__}: {exc}"[:300]
            )
        try:
            return outputs.to_messages(self, raw, where, received_ms, seq)
        except outputs.OutputError as exc:
            return Rejected(exc.reason, f"model {self.id}: {exc}"[:300])
        except msgspec.MsgspecError as exc:  # pragma: no cover - outputs turns these into errors
            return Rejected(Reason.DECODER, f"model {self.id}: {exc}"[:300])
