"""A real VictoriaMetrics process for the InfluxDB adapter's write path (`/api/v2/write`)."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx

from broker.mosquitto import free_port, wait_for_port


def find_victoria() -> str | None:
    return shutil.which("victoria-metrics") or (
        "/usr/bin/victoria-metrics" if Path("/usr/bin/victoria-metrics").exists() else None
    )


class VictoriaMetrics:
    def __init__(self, workdir: Path, port: int | None = None) -> None:
        binary = find_victoria()
        if binary is None:
            raise FileNotFoundError("victoria-metrics is not installed")
        self.binary = binary
        self.port = port or free_port()
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> VictoriaMetrics:
        log = open(self.workdir / "victoria.log", "ab")  # noqa: SIM115 - owned by the process
        self._proc = subprocess.Popen(
            [
                self.binary,
                f"-httpListenAddr=127.0.0.1:{self.port}",
                f"-storageDataPath={self.workdir / 'data'}",
                "-retentionPeriod=100y",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        wait_for_port("127.0.0.1", self.port, timeout=30)
        return self

    def stop(self) -> None:
        if self._proc is None:
            return
        self._proc.terminate()
        try:
            self._proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._proc = None

    def export(self, match: str = '{__name__=~".+"}') -> list[dict[str, Any]]:
        """Every series matching `match`, through the export API (after a forced flush)."""
        httpx.post(f"{self.url}/internal/force_flush", timeout=10)
        reply = httpx.post(f"{self.url}/api/v1/export", data={"match[]": match}, timeout=30)
        reply.raise_for_status()
        return [json.loads(line) for line in reply.text.splitlines() if line.strip()]

    def samples(self, metric: str, timeout_s: float = 15.0, expect: int = 0) -> dict[Any, float]:
        """{(home_id, device_id, ts_ms): value} of one metric, polling until `expect` arrived."""
        deadline = time.monotonic() + timeout_s
        while True:
            found: dict[Any, float] = {}
            for series in self.export(f'{{__name__="{metric}"}}'):
                labels = series["metric"]
                for ts, value in zip(series["timestamps"], series["values"], strict=True):
                    found[(labels["home_id"], labels["device_id"], ts)] = value
            if len(found) >= expect or time.monotonic() > deadline:
                return found
            time.sleep(0.2)
