"""A channel that only writes what would be sent (JSON lines): the demo, nothing leaves."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

from stores.state.escalation import DeliveryRow

log = logging.getLogger(__name__)


class LogChannel:
    def __init__(self, name: str, path: Path | None = None) -> None:
        self.name = name
        self.path = path
        self._lock = threading.Lock()

    def send(self, delivery: DeliveryRow) -> None:
        log.info(
            "[%s] to %s (%s): %s",
            self.name,
            delivery.contact_id,
            delivery.address,
            str(delivery.message.get("subject", "")),
        )
        if self.path is None:
            return
        line = json.dumps(
            {
                "channel": self.name,
                "key": delivery.key,
                "to": delivery.address,
                "message": delivery.message,
            },
            ensure_ascii=False,
        )
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line + "\n")
