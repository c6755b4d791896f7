"""Serve the app with uvicorn on a background thread (anju serve, demo, tests, benchmarks)."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn
from fastapi import FastAPI

from alerts.feed import Feed


class WebServer:
    """uvicorn in a thread; `stop()` ends live streams first so shutdown does not hang on them."""

    def __init__(self, app: FastAPI, feed: Feed, host: str = "127.0.0.1", port: int = 8000) -> None:
        self.feed = feed
        self.host = host
        self.port = port
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=3,
            lifespan="off",
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> WebServer:
        """Bind here (a taken port fails now, with the OS's message), then serve on a thread."""
        sock = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError as exc:
            sock.close()
            raise RuntimeError(f"web server did not start on {self.url}: {exc}") from exc
        self._thread = threading.Thread(target=self._serve, args=(sock,), name="web", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError(f"web server did not start on {self.url}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"web server did not start on {self.url}")
            time.sleep(0.02)
        return self

    def _serve(self, sock: socket.socket) -> None:
        try:
            self._server.run(sockets=[sock])
        except SystemExit:  # uvicorn exits on a startup failure; start() reports it
            pass
        finally:
            sock.close()

    def stop(self, timeout: float = 10.0) -> None:
        self.feed.close()
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
