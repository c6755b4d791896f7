"""How one ingest process connects to the broker, batches, throttles and retries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from domain.topics import UPLINK_FILTER


@dataclass(frozen=True)
class IngestOptions:
    host: str = "127.0.0.1"
    port: int = 1883
    client_id: str = "anju-ingest-1"
    protocol: Literal["5", "3.1.1"] = "5"
    share_group: str | None = None  # None: plain subscription; a name: $share/<name>/...
    session_expiry_s: int = 7 * 24 * 3600
    username: str | None = None
    password: str | None = None
    tls: bool = False
    keepalive_s: int = 60
    reconnect_min_s: float = 0.2
    reconnect_max_s: float = 10.0
    batch_size: int = 1000
    batch_ms: int = 50
    queue_max: int = 100_000
    rate_per_s: float = 20.0
    burst: int = 600
    directory_refresh_s: float = 60.0
    retry_initial_s: float = 0.05
    retry_max_s: float = 5.0

    @property
    def subscription(self) -> str:
        if self.share_group:
            return f"$share/{self.share_group}/{UPLINK_FILTER}"
        return UPLINK_FILTER
