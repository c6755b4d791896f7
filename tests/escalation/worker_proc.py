"""An escalation process for the kill -9 test: engine + outbox on a file state store, a clock
read from a file (the test moves time by writing it), real webhook/SMS/voice channels.

python -m tests.escalation.worker_proc STATE_URL CLOCK_FILE PROVIDER_URL
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from alerts.channels.base import Channel
from alerts.channels.provider import ProviderChannel
from alerts.channels.webhook import WebhookChannel
from alerts.escalation.engine import EscalationEngine
from alerts.outbox import Dispatcher
from stores.state.escalation import EscalationStore
from stores.state.sql import SqlStateStore


class FileClock:
    def __init__(self, path: Path) -> None:
        self.path = path

    def now(self) -> float:
        return float(self.path.read_text())


def main(argv: list[str]) -> int:
    state_url, clock_file, provider = argv
    clock = FileClock(Path(clock_file))
    state = SqlStateStore(state_url)
    esc = EscalationStore(state.engine)
    engine = EscalationEngine(esc, state, clock)
    channels: dict[str, Channel] = {
        "webhook": WebhookChannel("hook-secret", retries=0, timeout_s=5),
        "sms": ProviderChannel("sms", provider, "tok"),
        "voice": ProviderChannel("voice", provider, "tok"),
    }
    dispatcher = Dispatcher(esc, channels, clock)
    engine.load()
    print("ready", flush=True)
    last_reconcile = 0.0
    while True:
        try:
            if time.monotonic() - last_reconcile > 0.2:  # alarms raised/accepted elsewhere
                engine.reconcile()
                last_reconcile = time.monotonic()
            engine.tick()
            dispatcher.run_once()
        except Exception as exc:  # as the production runner: log, keep going
            print(f"step failed: {exc!r}", file=sys.stderr, flush=True)
        time.sleep(0.01)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
