"""An embedded MQTT broker in pure Python (amqtt) for `anju demo` where Mosquitto is missing.

It speaks MQTT 3.1.1 only and keeps sessions in memory (nothing survives its own restart), and
it has no shared subscriptions: ingest connects with protocol "3.1.1", clean_session off and a
plain subscription. It is for a laptop demo, not for production (docker-compose uses Mosquitto).

In-process: `EmbeddedBroker(port).start()` runs the broker's asyncio loop on its own thread.
As a process: `python -m broker.embedded --port 1883`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from broker.mosquitto import free_port, wait_for_port

log = logging.getLogger(__name__)


def broker_config(host: str, port: int) -> dict[str, Any]:
    return {
        "listeners": {"default": {"type": "tcp", "bind": f"{host}:{port}", "max_connections": 0}},
        "plugins": {"broker.embedded_auth.OpenAuthPlugin": {}},
    }


class EmbeddedBroker:
    def __init__(self, port: int | None = None, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = port or free_port()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._broker: Any = None

    def start(self, timeout: float = 15.0) -> EmbeddedBroker:
        started: Future[None] = Future()
        self._thread = threading.Thread(
            target=self._run, args=(started,), name="embedded-broker", daemon=True
        )
        self._thread.start()
        started.result(timeout)
        wait_for_port(self.host, self.port, timeout)
        log.info("embedded MQTT broker (3.1.1) on %s:%d", self.host, self.port)
        return self

    def _run(self, started: Future[None]) -> None:
        from amqtt.broker import Broker

        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)

        async def boot() -> None:
            self._broker = Broker(broker_config(self.host, self.port), loop=loop)
            await self._broker.start()

        try:
            loop.run_until_complete(boot())
        except BaseException as exc:
            started.set_exception(exc)
            loop.close()
            return
        started.set_result(None)
        loop.run_forever()
        loop.close()

    def stop(self, timeout: float = 10.0) -> None:
        loop, broker = self._loop, self._broker
        if loop is None or broker is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(broker.shutdown(), loop).result(timeout)
        except Exception:
            log.exception("embedded broker: shutdown failed")
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(timeout)
        self._loop = self._broker = self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> EmbeddedBroker:
        return self.start() if self._thread is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_embedded(workdir: Path, port: int | None = None) -> EmbeddedBroker:
    """For `anju demo`: the workdir is accepted for symmetry with Mosquitto (nothing is kept)."""
    workdir.mkdir(parents=True, exist_ok=True)
    return EmbeddedBroker(port).start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="embedded MQTT 3.1.1 broker (amqtt)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1883)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    logging.getLogger("amqtt").setLevel(logging.WARNING)
    logging.getLogger("transitions").setLevel(logging.WARNING)
    broker = EmbeddedBroker(args.port, args.host).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(f"embedded broker on {args.host}:{broker.port}", flush=True)
    stop.wait()
    broker.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
