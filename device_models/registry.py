"""Every model Anju knows: the shipped folder and the integrator's own (ANJU_DEVICE_MODELS_DIRS).

`load()` reads every `*.yaml` under the folders; a file that fails is reported (file, line, fix),
counted and left out, and never stops the others. `poll()` looks at the files' modification
times (and their decoders') every `poll_s` seconds of the injected clock and reloads what
changed: an edited or new file is picked up without a restart; a broken edit keeps the version
that worked, and its error is reported. Readers (`match`, `get`) see one consistent generation:
a reload builds new tables and swaps them in.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from device_models import decoders_loader
from device_models.loader import load_model
from device_models.model import DeviceModel
from device_models.spec import Capability, DecodeContext, ModelError
from domain.clock import Clock, SystemClock
from domain.topics import PREFIX

__all__ = [
    "SHIPPED_MODELS",
    "Capability",
    "DecodeContext",
    "DeviceModel",
    "ModelError",
    "ModelRegistry",
    "load_model",
]

log = logging.getLogger(__name__)

SHIPPED_MODELS = Path(__file__).resolve().parent / "models"
Signature = tuple[int, int, int]


@dataclass(frozen=True)
class _Tables:
    by_id: dict[str, DeviceModel]
    by_level: dict[str, list[DeviceModel]]  # first topic level -> models
    wildcard: list[DeviceModel]  # patterns that start with a placeholder


def _tables(models: Iterable[DeviceModel]) -> _Tables:
    by_id: dict[str, DeviceModel] = {}
    by_level: dict[str, list[DeviceModel]] = {}
    wildcard: list[DeviceModel] = []
    for model in models:
        by_id[model.id] = model
        if model.pattern.text.startswith(PREFIX + "/"):
            continue  # contract topics: the device's own record says its model
        first = model.pattern.text.split("/", 1)[0]
        (wildcard if "{" in first else by_level.setdefault(first, [])).append(model)
    return _Tables(by_id, by_level, wildcard)


class ModelRegistry:
    def __init__(
        self,
        dirs: Sequence[Path] = (SHIPPED_MODELS,),
        *,
        clock: Clock | None = None,
        poll_s: float = 2.0,
    ) -> None:
        self.dirs = [Path(d) for d in dirs]
        self.clock = clock or SystemClock()
        self.poll_s = poll_s
        self.errors: list[ModelError] = []  # the current problems, one per broken file
        self.error_total = 0  # every failed load since start (a metric)
        self.reloads = 0
        self._files: dict[Path, tuple[Signature, DeviceModel]] = {}
        self._broken: dict[Path, tuple[Signature, ModelError]] = {}
        self._tables = _tables(())
        self._polled_at: float | None = None
        self._listeners: list[Callable[[ModelRegistry], None]] = []

    # ---- reading -------------------------------------------------------------------------
    def models(self) -> list[DeviceModel]:
        return sorted(self._tables.by_id.values(), key=lambda m: m.id)

    def get(self, model_id: str) -> DeviceModel | None:
        return self._tables.by_id.get(model_id)

    def __len__(self) -> int:
        return len(self._tables.by_id)

    def match(self, topic: str) -> tuple[DeviceModel, dict[str, str]] | None:
        """The model whose topic pattern matches, and the placeholders' values. Topics of the
        device contract (anju/v1/...) match none: many models share them, and the provisioned
        device's `model` says which one it is."""
        tables = self._tables
        for model in tables.by_level.get(topic.split("/", 1)[0], ()):
            found = model.pattern.match(topic)
            if found is not None:
                return model, found
        for model in tables.wildcard:
            found = model.pattern.match(topic)
            if found is not None:
                return model, found
        return None

    def filters(self) -> list[str]:
        """MQTT filters ingest subscribes to besides the contract's own topics."""
        return sorted(
            {
                m.pattern.filter
                for m in self._tables.by_id.values()
                if not m.pattern.text.startswith(PREFIX + "/")
            }
        )

    def on_change(self, listener: Callable[[ModelRegistry], None]) -> None:
        """Call `listener(registry)` after every reload that changed the models."""
        self._listeners.append(listener)

    # ---- loading -------------------------------------------------------------------------
    def load(self, dirs: Sequence[Path] | None = None) -> list[ModelError]:
        """(Re)load every model file; returns the errors (also kept in `errors`)."""
        if dirs is not None:
            self.dirs = [Path(d) for d in dirs]
            self._files, self._broken = {}, {}
        self._reload(force=dirs is not None)
        self._polled_at = self.clock.now()
        return list(self.errors)

    def poll(self) -> bool:
        """Reload if `poll_s` has passed and a file changed; True if the models changed."""
        now = self.clock.now()
        if self._polled_at is not None and now - self._polled_at < self.poll_s:
            return False
        self._polled_at = now
        return self._reload(force=False)

    def _scan(self) -> tuple[list[Path], int]:
        """The model files (folder by folder, in the order given: on an id clash the first
        wins), and a stamp of every decoder file (any change reloads them all)."""
        found: dict[Path, None] = {}
        decoders: list[tuple[str, int, int]] = []
        for folder in [*self.dirs, decoders_loader.SHIPPED]:
            if folder.is_file():
                found.setdefault(folder.resolve())
                continue
            if not folder.is_dir():
                continue
            for p in sorted(folder.rglob("*")):
                if p.suffix in (".yaml", ".yml") and p.is_file():
                    found.setdefault(p.resolve())
                elif p.suffix == ".py" and "__pycache__" not in p.parts:
                    st = p.stat()
                    decoders.append((str(p), st.st_mtime_ns, st.st_size))
        return list(found), hash(tuple(sorted(decoders)))

    def _reload(self, *, force: bool) -> bool:
        paths, stamp = self._scan()
        files: dict[Path, tuple[Signature, DeviceModel]] = {}
        broken: dict[Path, tuple[Signature, ModelError]] = {}
        errors: list[ModelError] = []
        changed = force
        for path in paths:
            old = self._files.get(path)
            sig = _signature(path, stamp)
            if not force and old is not None and old[0] == sig:
                files[path] = old
                continue
            known = self._broken.get(path)
            if not force and known is not None and known[0] == sig:  # still the same broken file
                broken[path] = known
                errors.append(known[1])
                if old is not None:
                    files[path] = old
                continue
            changed = True
            try:
                model = load_model(path)
            except ModelError as exc:
                errors.append(exc)
                broken[path] = (sig, exc)
                self.error_total += 1
                log.error("device model not loaded: %s", exc)
                if old is not None:  # a broken edit: keep the version that worked
                    files[path] = old
                continue
            files[path] = (sig, model)
            if old is not None:
                log.info("device model %s reloaded from %s", model.id, path)
        changed = changed or set(files) != set(self._files) or set(broken) != set(self._broken)
        if not changed:
            return False
        unique: dict[str, DeviceModel] = {}
        for path, (_sig, model) in files.items():
            first = unique.get(model.id)
            if first is not None:
                errors.append(
                    ModelError(
                        path,
                        _id_line(path),
                        f"model id {model.id!r} is already used by {first.source}",
                        "give this model its own id",
                    )
                )
                continue
            unique[model.id] = model
        self._files = files
        self._broken = broken
        self._tables = _tables(unique.values())
        self.errors = errors
        self.reloads += 1
        for listener in self._listeners:
            try:
                listener(self)
            except Exception:
                log.exception("device models: a reload listener failed")
        return True


def _signature(path: Path, stamp: int) -> Signature:
    st = path.stat()
    return st.st_mtime_ns, st.st_size, stamp


def _id_line(path: Path) -> int:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 1
    return next((n for n, line in enumerate(lines, 1) if re.match(r"\s*id\s*:", line)), 1)
