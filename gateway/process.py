"""`anju gateway run` as a real subprocess, for the tests and `anju bench gateway`: started,
watched through its state file, stopped or killed."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gateway.harness import wait_until


class GatewayProcess:
    """`anju gateway run` as a real subprocess."""

    def __init__(
        self,
        workdir: Path,
        home: str,
        local_port: int,
        upstream_port: int,
        *extra: str,
        via_cli: bool = True,
    ) -> None:
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.queue_path = workdir / "queue.db"
        self.state_path = Path(f"{self.queue_path}.state.json")
        # `anju gateway run` re-executes itself as `python -m gateway`; going there directly
        # spares the seconds the `anju` command spends importing every other sub-command
        anju = shutil.which("anju", path=str(Path(sys.executable).parent)) or "anju"
        command = [anju, "gateway", "run"] if via_cli else [sys.executable, "-m", "gateway"]
        self.argv = [
            *command,
            "--home",
            home,
            "--queue",
            str(self.queue_path),
            "--local-port",
            str(local_port),
            "--upstream-port",
            str(upstream_port),
            "--reconnect-max-s",
            "1",
            "--log-level",
            "WARNING",
            *extra,
        ]
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> GatewayProcess:
        self.state_path.unlink(missing_ok=True)  # a stopped gateway's: not this one's state
        log = open(self.workdir / "gateway.log", "ab")  # noqa: SIM115 - owned by the process
        self.proc = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        proc = self.proc

        def ready() -> bool:  # it hears the devices: what they send from now on is relayed
            if proc.poll() is not None:
                raise RuntimeError(f"the gateway exited ({proc.returncode}):\n{self.log()[-4000:]}")
            return self.state_path.exists() and self.state().get("local") == "subscribed"

        try:
            wait_until(ready, 30, "the gateway subscribed on the local broker")
        except TimeoutError as slow:  # say what the gateway was doing, not only that it was late
            proc.send_signal(signal.SIGUSR1)  # its threads' stacks, into its log
            time.sleep(0.5)
            raise TimeoutError(f"{slow}; the gateway's log:\n{self.log()[-4000:]}") from None
        return self

    def state(self) -> dict[str, Any]:
        for _ in range(20):
            try:
                value: dict[str, Any] = json.loads(self.state_path.read_text(encoding="utf-8"))
                return value
            except (OSError, ValueError):
                time.sleep(0.01)
        raise RuntimeError("unreadable gateway state file")

    def wait_state(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float, what: str
    ) -> dict[str, Any]:
        wait_until(lambda: predicate(self.state()), timeout, what)
        return self.state()

    def rss_kb(self) -> tuple[int, int]:
        """(current, peak) resident memory of the gateway process, kB."""
        assert self.proc is not None
        fields: dict[str, int] = {}
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                fields[key] = int(value.split()[0])
        return fields["VmRSS"], fields["VmHWM"]

    def kill9(self) -> None:
        if self.proc is not None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def log(self) -> str:
        return (self.workdir / "gateway.log").read_text(errors="replace")
