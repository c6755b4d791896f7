"""`anju demo` as a user runs it: a subprocess on free ports with its own data folder."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from broker.mosquitto import find_mosquitto, free_port
from tests.conftest import require

ANJU = Path(sys.executable).with_name("anju")


def _runs(proc_dir: Path, needle: str) -> bool:
    try:
        return needle in (proc_dir / "cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False


@pytest.mark.parametrize("broker", ["mosquitto", "embedded"])
def test_demo_shows_an_alarm_within_60_s_and_stops_cleanly(tmp_path: Path, broker: str) -> None:
    """With Mosquitto when installed; with the embedded broker a fresh machine needs nothing."""
    if broker == "mosquitto":
        require(find_mosquitto() is not None, "mosquitto is not installed")
    extra = ["--embedded-broker"] if broker == "embedded" else []
    http_port, mqtt_port = free_port(), free_port()
    log = (tmp_path / "demo.log").open("wb")
    proc = subprocess.Popen(
        [
            str(ANJU),
            "demo",
            "--data-dir",
            str(tmp_path / "demo"),
            "--http-port",
            str(http_port),
            "--mqtt-port",
            str(mqtt_port),
            "--homes",
            "1",
            *extra,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "ANJU_LOG_FORMAT": "json"},
    )
    try:
        started = time.monotonic()
        alarms: list[dict[str, object]] = []
        base = f"http://127.0.0.1:{http_port}"
        web = httpx.Client(base_url=base, timeout=2)
        while time.monotonic() - started < 60 and not alarms:
            assert proc.poll() is None, (tmp_path / "demo.log").read_text()
            try:
                if "anju_session" not in web.cookies:  # op1's password is printed at start
                    found = re.search(r"op1\s+/ (\S+)", (tmp_path / "demo.log").read_text())
                    if found:
                        web.post("/api/auth/login", json={"username": "op1", "password": found[1]})
                r = web.get("/api/alarms")
                if r.status_code == 200:
                    alarms = r.json()["alarms"]
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        web.close()
        assert alarms, "no alarm within 60 s"
        assert alarms[0]["type"] == "sos" and alarms[0]["severity"] == "critical"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
        output = (tmp_path / "demo.log").read_text()
        assert f"http://127.0.0.1:{http_port}/" in output
        assert "demo stopped" in output
        errors = [
            line
            for line in output.splitlines()
            if '"level": "error"' in line
            # amqtt logs the broker's own readiness probe (connect, close) as an error
            and "No data to decode MQTT packet" not in line
        ]
        assert not errors
        # the broker it started is gone too
        assert not [p for p in Path("/proc").glob("[0-9]*") if _runs(p, str(tmp_path / "demo"))]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def _rejected(base: str, reason: str) -> float:
    text = httpx.get(f"{base}/metrics", timeout=5).text
    found = re.search(rf'^anju_ingest_rejected_total\{{reason="{reason}"\}} (\S+)$', text, re.M)
    return float(found[1]) if found else 0.0


def test_a_restarted_demo_goes_on_counting_its_devices_sequence_numbers(tmp_path: Path) -> None:
    """The simulated devices' flash survives a restart of the demo: after Ctrl-C and a second
    start, their messages are new ones (seq goes on), not duplicates that ingest would drop."""
    require(find_mosquitto() is not None, "mosquitto is not installed")
    for run in range(2):
        http_port, mqtt_port = free_port(), free_port()
        log = (tmp_path / f"demo{run}.log").open("wb")
        proc = subprocess.Popen(
            [str(ANJU), "demo", "--data-dir", str(tmp_path / "demo"), "--http-port",
             str(http_port), "--mqtt-port", str(mqtt_port), "--homes", "1"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "ANJU_LOG_FORMAT": "json"},
        )  # fmt: skip
        base = f"http://127.0.0.1:{http_port}"
        try:
            started = time.monotonic()
            accepted = 0.0
            while time.monotonic() - started < 25:  # the demo's first minute: SOS at +8 s
                assert proc.poll() is None, (tmp_path / f"demo{run}.log").read_text()
                try:
                    text = httpx.get(f"{base}/metrics", timeout=5).text
                    found = re.search(r"^anju_ingest_accepted_total (\S+)$", text, re.M)
                    accepted = float(found[1]) if found else 0.0
                except httpx.HTTPError:
                    pass
                time.sleep(0.5)
            assert accepted >= 5, f"run {run}: only {accepted} messages accepted"
            assert _rejected(base, "duplicate") == 0, f"run {run}: devices reused seq numbers"
            proc.send_signal(signal.SIGINT)
            assert proc.wait(30) == 0
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            log.close()
    assert (tmp_path / "demo" / "device_seq.json").exists()
