"""Two real Mosquitto brokers (the home's and Anju's) and a gateway process between them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from broker.mosquitto import Mosquitto, find_mosquitto
from gateway.harness import Devices, Recorder
from gateway.process import GatewayProcess
from tests.conftest import require

HOME = "h1"


@dataclass
class Rig:
    local: Mosquitto
    upstream: Mosquitto
    recorder: Recorder
    devices: Devices
    workdir: Path

    def gateway(self, *extra: str, via_cli: bool = False) -> GatewayProcess:
        return GatewayProcess(
            self.workdir / "gateway",
            HOME,
            self.local.port,
            self.upstream.port,
            *extra,
            via_cli=via_cli,
        )

    def cut(self, gateway: GatewayProcess) -> None:
        """The line drops: Anju's broker goes away (it keeps its sessions on disk)."""
        self.upstream.stop()
        gateway.wait_state(lambda s: s["upstream"] == "offline", 20, "gateway offline")

    def restore(self) -> float:
        """Anju's broker is back; returns the moment just before, to tell replayed traffic."""
        before = time.time()
        self.upstream.start()
        return before


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    require(find_mosquitto() is not None, "mosquitto is not installed")
    local = Mosquitto(tmp_path / "local").start()
    upstream = Mosquitto(tmp_path / "upstream").start()
    recorder = Recorder(upstream.port)
    devices = Devices(local.port, HOME)
    try:
        yield Rig(local, upstream, recorder, devices, tmp_path)
    finally:
        devices.close()
        recorder.close()
        upstream.stop()
        local.stop()
