"""`anju device check`, part two: run the model for real.

A throwaway broker (Mosquitto on a free port if installed, else the embedded one) and a throwaway
Anju (stores in a temp folder, the model's folder as an extra models folder, a ManualClock) get
a provisioned test device of the model; the samples are published on the model's topic and the
pipeline's outcome is checked per capability (conformance_verdicts): stored readings, detector
alarms, supervision. Nothing of the user's own configuration is used: every setting that could
point at a real store or broker is given explicitly.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from anju.settings import Settings
from anju.wiring import Anju, build
from broker.embedded import EmbeddedBroker
from broker.mosquitto import Mosquitto, find_mosquitto, free_port
from device_models.conformance import Decoded
from device_models.conformance_raw import CHECK_HOME
from device_models.conformance_report import Report
from device_models.conformance_samples import Sample, sample_topic
from device_models.conformance_verdicts import Verdicts
from device_models.model import DeviceModel
from device_models.registry import SHIPPED_MODELS
from domain.alarms import Alarm
from domain.clock import ManualClock
from domain.decode import Message
from domain.model import Device, DeviceKind, Home, Resident, Room
from domain.points import Point
from ingest.sink import Sink

log = logging.getLogger(__name__)
SETTLE_S = 10.0  # longest wait for the pipeline to take what was published


class CountingSink:
    """Ingest's sink, counted: the check knows when the detectors have seen a batch."""

    def __init__(self, inner: Sink) -> None:
        self.inner = inner
        self.items = 0
        self.changed = threading.Condition()

    def accept(self, items: Sequence[tuple[Message, Device]]) -> None:
        try:
            self.inner.accept(items)
        finally:
            with self.changed:
                self.items += len(items)
                self.changed.notify_all()


class Pipeline:
    """The throwaway Anju and a publisher, with waits that know when a message was handled."""

    def __init__(self, anju: Anju, clock: ManualClock, port: int, protocol: str) -> None:
        self.anju = anju
        self.clock = clock
        self.sink = CountingSink(anju.registry)
        anju.ingest.sink = self.sink
        version = mqtt.MQTTv5 if protocol == "5" else mqtt.MQTTv311
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id="anju-check-pub", protocol=version
        )
        self.port = port
        self.published = 0

    def start(self) -> None:
        self.anju.start(wait_connected_s=10.0)
        self.client.connect("127.0.0.1", self.port)
        self.client.loop_start()
        self._await_subscription()

    def stop(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()
        self.anju.stop()

    def _await_subscription(self) -> None:
        """Publish probes (an unknown device's heartbeat, dead-lettered) until ingest sees one,
        so no sample goes out before ingest's subscription is in place."""
        deadline = time.monotonic() + SETTLE_S
        while self.anju.ingest.stats.received == 0 and time.monotonic() < deadline:
            self.publish(f"anju/v1/{CHECK_HOME}/probe/status", b"{}")
            time.sleep(0.1)
        self.settle()

    def publish(self, topic: str, payload: bytes) -> None:
        info = self.client.publish(topic, payload, qos=1)
        info.wait_for_publish(5.0)
        self.published += 1

    def settle(self) -> bool:
        """Wait until ingest received all that was published and the detectors saw what it kept."""
        stats = self.anju.ingest.stats
        deadline = time.monotonic() + SETTLE_S
        while time.monotonic() < deadline:
            if stats.received >= self.published:  # redeliveries are counted in received
                with self.sink.changed:
                    if self.sink.changed.wait_for(
                        lambda: self.sink.items >= stats.accepted,
                        max(0.0, deadline - time.monotonic()),
                    ):
                        return True
            time.sleep(0.02)
        return False

    def now(self) -> float:
        return self.clock.now()

    def points(self) -> list[Point]:
        return self.anju.ts_store.query(CHECK_HOME, 0, 2**62)

    def alarms(self) -> list[Alarm]:
        return self.anju.state_store.list_alarms()

    def dead_letters(self) -> list[tuple[str, str, bytes]]:
        letters = self.anju.state_store.dead_letters(limit=10_000)
        return [(d.topic, d.reason, d.payload) for d in letters]

    def tick_at(self, when_s: float) -> None:
        self.clock.set(when_s)
        self.anju.registry.tick()


class CheckSettings(Settings):
    """Settings of the throwaway Anju: defaults and what the check gives, nothing from the
    environment or a config file (ANJU_STATE_URL or a broker admin password of the user's real
    Anju must not reach it)."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def _settings(work: Path, port: int, protocol: str, model: DeviceModel) -> Settings:
    folder = Path(model.source).resolve().parent
    shipped = folder.is_relative_to(SHIPPED_MODELS.resolve())  # those are loaded anyway
    return CheckSettings(
        data_dir=work / "data",
        mqtt_port=port,
        mqtt_protocol=protocol,
        mqtt_client_id="anju-check-ingest",
        http_port=free_port(),
        escalation=False,
        notify_dry_run=True,
        device_models_dirs="" if shipped else str(folder),
    )


def _provision(anju: Anju, model: DeviceModel, device_ids: list[str]) -> list[Device]:
    store = anju.state_store
    store.upsert_home(Home(CHECK_HOME, "conformance", address="anju device check"))
    store.upsert_resident(Resident(f"{CHECK_HOME}-r", CHECK_HOME, "check"))
    room = Room.OTHER if model.placement == "room" else None
    devices = [
        Device(d, CHECK_HOME, DeviceKind(model.kind), model=model.id, room=room) for d in device_ids
    ]
    for device in devices:
        store.upsert_device(device)
    return devices


def _broker(stack: ExitStack, work: Path) -> tuple[int, str, str]:
    """(port, MQTT protocol for ingest, what it is) of a started throwaway broker."""
    if find_mosquitto() is not None:
        mosquitto = stack.enter_context(Mosquitto(work / "mosquitto"))
        return mosquitto.port, "5", f"Mosquitto on 127.0.0.1:{mosquitto.port}"
    embedded = stack.enter_context(EmbeddedBroker())
    return embedded.port, "3.1.1", f"embedded broker on 127.0.0.1:{embedded.port}"


def run_live(model: DeviceModel, samples: list[Sample], decoded: Decoded, report: Report) -> None:
    with tempfile.TemporaryDirectory(prefix="anju-check-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        port, protocol, what = _broker(stack, work)
        clock = ManualClock(decoded.at_ms / 1000)
        anju = build(_settings(work, port, protocol, model), clock=clock)
        report.broker = f"{what}, a throwaway Anju in {work}"
        devices = _provision(anju, model, decoded.device_ids)
        pipeline = Pipeline(anju, clock, port, protocol)
        stack.callback(pipeline.stop)
        pipeline.start()
        device = devices[0]

        def topic_of(sample: Sample) -> str:
            return sample_topic(model.match.topic, sample, CHECK_HOME, device.device_id)

        Verdicts(
            model,
            samples=samples,
            decoded=decoded,
            report=report,
            pipeline=pipeline,
            topic_of=topic_of,
        ).run()
