"""Find and import a model's decoder: `module:function` (function defaults to `decode`).

The module is looked for beside the model file, then in a `decoders/` folder beside it or up to
two folders above it (an integrator's own tree), then in Anju's `device_models/decoders/`. Each
load imports the file afresh under a private module name, so an edited decoder is picked up by a
reload. Decoders are code: whoever may write to a models folder may run code in Anju.
"""

from __future__ import annotations

import importlib.util
import inspect
import itertools
import re
import sys
from pathlib import Path

from device_models.spec import Decoder

SHIPPED = Path(__file__).resolve().parent / "decoders"
_REF = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z_][A-Za-z0-9_]*))?")
_loads = itertools.count()


class DecoderLoadError(Exception):
    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.fix = fix


def find(model_path: Path, module: str) -> Path | None:
    here = model_path.resolve().parent
    candidates = [here / f"{module}.py"]
    for folder in (here, here.parent, here.parent.parent):
        candidates.append(folder / "decoders" / f"{module}.py")
    candidates.append(SHIPPED / f"{module}.py")
    return next((c for c in candidates if c.is_file()), None)


def resolve(model_path: Path, ref: str) -> tuple[Decoder, Path]:
    m = _REF.fullmatch(ref.strip())
    if m is None:
        raise DecoderLoadError(f"decoder {ref!r} is not module:function", "e.g. acme_lora:decode")
    module, function = m.group(1), m.group(2) or "decode"
    file = find(model_path, module)
    if file is None:
        raise DecoderLoadError(
            f"decoder module {module!r} not found",
            f"put {module}.py beside the model file or in a decoders/ folder",
        )
    name = f"anju_decoder_{module}_{next(_loads)}"
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:  # pragma: no cover - a .py file always has one
        raise DecoderLoadError(f"cannot import {file}", "check the file")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # dataclasses and the like look their module up while it loads
    try:
        spec.loader.exec_module(mod)
    except Exception as exc:
        raise DecoderLoadError(
            f"decoder {file.name} fails to import: {type(exc).__name__}: {exc}",
            "run `python -c 'import ...'` on it and fix the error",
        ) from None
    finally:
        sys.modules.pop(name, None)
    fn = getattr(mod, function, None)
    if not callable(fn):
        raise DecoderLoadError(
            f"{file.name} has no function {function!r}",
            f"define `def {function}(payload: bytes, ctx) -> list[dict]`",
        )
    try:
        inspect.signature(fn).bind(b"", None)
    except (TypeError, ValueError):
        raise DecoderLoadError(
            f"{function} in {file.name} does not take (payload, ctx)",
            f"define `def {function}(payload: bytes, ctx) -> list[dict]`",
        ) from None
    return fn, file
