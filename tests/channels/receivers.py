"""Real receivers on loopback for channel tests: an HTTP server and an SMTP server (aiosmtpd)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from broker.mosquitto import free_port


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.time() when received

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpReceiver:
    """Records every POST; answers with the next status in `statuses` (then 200)."""

    statuses: list[int] = field(default_factory=list)
    delay_s: float = 0.0
    hits: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def idempotency_keys(self) -> list[str]:
        with self.lock:
            return [h.headers.get("Idempotency-Key", "") for h in self.hits]

    def wait(self, n: int, timeout_s: float = 10.0) -> list[Hit]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.hits) >= n:
                    return list(self.hits)
            time.sleep(0.01)
        with self.lock:
            return list(self.hits)


@contextmanager
def http_receiver(
    statuses: list[int] | None = None, delay_s: float = 0.0
) -> Iterator[HttpReceiver]:
    receiver = HttpReceiver(list(statuses or []), delay_s)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with receiver.lock:
                receiver.hits.append(Hit(self.path, dict(self.headers.items()), body, time.time()))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
            if receiver.delay_s:
                time.sleep(receiver.delay_s)
            answer = json.dumps({"id": f"msg-{len(receiver.hits)}"}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Mailbox:
    messages: list[tuple[str, list[str], Message]] = field(default_factory=list)
    port: int = 0

    async def handle_DATA(  # noqa: N802 (aiosmtpd hook name)
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        data = envelope.content if isinstance(envelope.content, bytes) else b""
        self.messages.append(
            (
                str(envelope.mail_from),
                list(envelope.rcpt_tos),
                message_from_bytes(data, policy=default),
            )
        )
        return "250 Message accepted for delivery"

    def wait(self, n: int, timeout_s: float = 10.0) -> list[tuple[str, list[str], Message]]:
        deadline = time.monotonic() + timeout_s
        while len(self.messages) < n and time.monotonic() < deadline:
            time.sleep(0.01)
        return list(self.messages)


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    box = Mailbox()
    box.port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
