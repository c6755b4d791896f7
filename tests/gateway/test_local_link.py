"""The home's own broker restarts: the gateway says so, subscribes again, and relays again."""

from __future__ import annotations

from gateway.harness import wait_until
from tests.gateway.conftest import Rig

T0 = 1_767_225_600_000


def test_local_broker_restart_is_seen_and_relaying_resumes(rig: Rig) -> None:
    gateway = rig.gateway().start()  # returns once it is subscribed on the local broker
    try:
        assert gateway.state()["local"] == "subscribed"
        rig.local.stop()
        gateway.wait_state(lambda s: s["local"] == "connecting", 10, "local link lost")
        rig.local.start()
        gateway.wait_state(lambda s: s["local"] == "subscribed", 20, "subscribed again")
        rig.devices.reading("dev00", 1, T0)
        wait_until(lambda: rig.recorder.count("reading", "dev00") == 1, 20, "relayed again")
    finally:
        gateway.stop()
