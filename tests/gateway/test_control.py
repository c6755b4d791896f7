"""Commands from Anju, supervision of the home's devices, the gateway's own heartbeat and Will."""

from __future__ import annotations

import json
import signal
import subprocess

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from gateway.harness import Recorder, wait_until
from tests.gateway.conftest import HOME, Rig

T0 = 1_767_225_600_000


def _availability(recorder: Recorder, device: str) -> list[str]:
    return [
        m.body()["state"]
        for m in recorder.snapshot()
        if m.device == device and m.channel == "availability"
    ]


def _results(recorder: Recorder) -> dict[str, dict[str, object]]:
    found = {}
    for m in recorder.snapshot():
        if m.topic == f"anju/v1/{HOME}/gateway/event":
            body = m.body()
            found[body["id"]] = body
    return found


def test_commands_supervision_heartbeat_and_last_will(rig: Rig) -> None:
    local_cmds = Recorder(rig.local.port, f"anju/v1/{HOME}/+/cmd", client_id="local-cmds")
    gateway = rig.gateway("--device-timeout-s", "2", "--heartbeat-s", "1").start()
    anju = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="anju", protocol=mqtt.MQTTv5)
    anju.connect("127.0.0.1", rig.upstream.port)
    anju.loop_start()
    watch: subprocess.Popen[bytes] | None = None
    try:
        gateway.wait_state(lambda s: s["upstream"] == "online", 20, "gateway online")

        def command(device: str, cid: str, name: str, **args: object) -> None:
            body = {"v": 1, "id": cid, "name": name, "args": args}
            anju.publish(f"anju/v1/{HOME}/{device}/cmd", json.dumps(body), qos=1)

        command("gateway", "c1", "report_version")
        command("gateway", "c2", "configure", replay_rate=500, device_timeout_s=2)
        command("gateway", "c3", "configure", colour="blue")
        command("gateway", "c4", "set_heartbeat_interval", seconds=1)
        command("gateway", "c5", "reboot")
        command("watch", "c6", "set_heartbeat_interval", seconds=30)
        wait_until(lambda: len(_results(rig.recorder)) == 5, 15, "command results")
        results = _results(rig.recorder)
        assert results["c1"]["ok"] is True and "anju-gateway" in str(results["c1"]["detail"])
        assert results["c2"]["ok"] is True and "replay_rate=500" in str(results["c2"]["detail"])
        assert results["c3"]["ok"] is False and "colour" in str(results["c3"]["detail"])
        assert results["c4"]["ok"] is True
        assert results["c5"]["ok"] is False
        wait_until(lambda: local_cmds.count() >= 1, 10, "device command forwarded")
        forwarded = local_cmds.snapshot()[0]
        assert forwarded.device == "watch" and forwarded.body()["id"] == "c6"

        # heartbeats upstream, with the queue's figures
        wait_until(lambda: rig.recorder.count("status", "gateway") >= 3, 10, "heartbeats")
        beat = [m for m in rig.recorder.snapshot() if m.topic.endswith("gateway/status")][-1]
        assert {"seq", "ts", "fw", "queued", "evicted"} <= set(beat.body())

        # a silent device goes offline after its timeout, and online when it speaks again
        rig.devices.status("pir", 1, T0)
        wait_until(
            lambda: _availability(rig.recorder, "pir") == ["online", "offline"],
            10,
            "pir offline after silence",
        )
        rig.devices.status("pir", 2, T0 + 1000)
        wait_until(lambda: _availability(rig.recorder, "pir")[-1:] == ["online"], 10, "pir back")

        # a device whose connection breaks: its Last Will on the local broker goes upstream
        watch = subprocess.Popen(
            [
                "mosquitto_sub",
                "-p",
                str(rig.local.port),
                "-V",
                "5",
                "-i",
                "watch",
                "-t",
                "x",
                "--will-topic",
                f"anju/v1/{HOME}/watch/availability",
                "--will-retain",
                "--will-qos",
                "1",
                "--will-payload",
                '{"state":"offline","v":1}',
            ],
        )
        rig.devices.status("watch", 1, T0)
        wait_until(lambda: "online" in _availability(rig.recorder, "watch"), 10, "watch online")
        watch.send_signal(signal.SIGKILL)
        watch.wait()
        wait_until(
            lambda: _availability(rig.recorder, "watch")[-1:] == ["offline"],
            10,
            "watch Last Will forwarded",
        )

        # the gateway dies: Anju's broker publishes the gateway's own Last Will
        assert _availability(rig.recorder, "gateway")[-1:] == ["online"]
        gateway.kill9()
        wait_until(
            lambda: _availability(rig.recorder, "gateway")[-1:] == ["offline"],
            10,
            "gateway Last Will",
        )
    finally:
        if watch is not None and watch.poll() is None:
            watch.kill()
        gateway.stop()
        anju.loop_stop()
        local_cmds.close()
