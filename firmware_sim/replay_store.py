"""The offline replay's state store: Anju's SQL state store, with the detectors' blobs written
behind.

Detectors save their state as blobs so that timers and baselines survive a restart; the activity
detector checkpoints every home every 5 minutes, one transaction per home. A replay never
restarts, so here a saved blob is kept in memory (and read back from there) and all of them are
written in one transaction whenever `flush` is called (the replay does it once a simulated
hour, `BLOBS_EVERY_S`, and at the end). Alarms, homes and devices go to SQLite as in `anju serve`.
"""

from __future__ import annotations

from collections.abc import Mapping

from stores.state.sql import SqlStateStore


class ReplayStateStore(SqlStateStore):
    def __init__(self, url: str, *, synchronous: str = "OFF") -> None:
        super().__init__(url, synchronous=synchronous)
        self._behind: dict[str, bytes] = {}
        self.blob_writes = 0

    def load_blob(self, key: str) -> bytes | None:
        value = self._behind.get(key)
        return value if value is not None else super().load_blob(key)

    def save_blob(self, key: str, value: bytes) -> None:
        self._behind[key] = value

    def save_blobs(self, blobs: Mapping[str, bytes]) -> None:
        self._behind.update(blobs)

    def flush(self) -> None:
        if self._behind:
            super().save_blobs(self._behind)
            self.blob_writes += len(self._behind)
            self._behind = {}

    def close(self) -> None:
        self.flush()
        super().close()
