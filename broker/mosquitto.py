"""Run Mosquitto with Anju's configuration on a chosen port (demo, tests, benchmarks)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

CONFIG = Path(__file__).with_name("mosquitto.conf")


def find_mosquitto() -> str | None:
    return shutil.which("mosquitto") or next(
        (p for p in ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto") if Path(p).exists()), None
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(host: str, port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on {host}:{port}") from None
            time.sleep(0.05)


class Mosquitto:
    """A Mosquitto process with Anju's configuration, its persistence in `workdir`."""

    def __init__(self, workdir: Path, port: int | None = None, host: str = "127.0.0.1") -> None:
        binary = find_mosquitto()
        if binary is None:
            raise FileNotFoundError("mosquitto is not installed (apt-get install mosquitto)")
        self.binary = binary
        self.host = host
        self.port = port or free_port()
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.config_path = workdir / "mosquitto.conf"
        self.log_path = workdir / "mosquitto.log"
        self._proc: subprocess.Popen[bytes] | None = None

    def write_config(self, extra: str = "") -> None:
        text = CONFIG.read_text(encoding="utf-8")
        text += f"\nlistener {self.port} {self.host}\n"
        text += f"persistence_location {self.workdir}/\n"
        text += f"log_dest file {self.log_path}\nlog_type error\nlog_type warning\n"
        if os.geteuid() == 0:  # Mosquitto would drop to user `mosquitto` and lose the workdir
            text += "user root\n"
        self.config_path.write_text(text + extra, encoding="utf-8")

    def start(self, extra_config: str = "") -> Mosquitto:
        self.write_config(extra_config)
        log = open(self.workdir / "stderr.log", "ab")  # noqa: SIM115 - owned by the process
        self._proc = subprocess.Popen(
            [self.binary, "-c", str(self.config_path)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in a terminal is for Anju, which stops the broker last
        )
        log.close()
        wait_for_port(self.host, self.port)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Graceful stop: Mosquitto saves its persistence file."""
        if self._proc is None:
            return
        self._proc.send_signal(signal.SIGTERM)
        try:
            self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._proc = None

    def kill(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def __enter__(self) -> Mosquitto:
        return self.start() if self._proc is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()
