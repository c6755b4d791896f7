"""The sample payloads of a conformance check: what an integrator captured from the real device.

Layout of SAMPLES_DIR (see docs/integrators.md):
- `*.json`, `*.txt` (sent as they are), `*.bin` (raw bytes), `*.hex` (hex digits; spaces, line
  breaks and `#` comments are ignored): payloads the model must accept;
- `bad/<reason>.<anything>.<ext>` or `bad/<reason>/<anything>.<ext>`: payloads the model must
  reject with that reason (a value of domain.rejects.Reason, e.g. `decoder`, `out_of_range`).
If the model's topic pattern has a `{channel}` (the contract's own devices), a sample's name
starts with the channel: `reading.kitchen.json`, `event-sos.json`, `status.json`,
`bad/out_of_range.status-hot.json`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from domain.rejects import Reason

EXTENSIONS = (".json", ".txt", ".bin", ".hex")
CHANNELS = ("reading", "event", "status", "availability")
REASONS = frozenset(r.value for r in Reason)
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


class SampleError(Exception):
    """A sample that cannot be read or named as the layout says; str() says what to do."""


@dataclass(frozen=True, slots=True)
class Sample:
    path: Path
    payload: bytes
    expect: str | None = None  # the reason a bad sample must be rejected with; None: good

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def good(self) -> bool:
        return self.expect is None


def read_payload(path: Path) -> bytes:
    raw = path.read_bytes()
    if path.suffix != ".hex":
        return raw
    lines = [line.split("#", 1)[0] for line in raw.decode("ascii", "replace").splitlines()]
    digits = "".join("".join(lines).split()).removeprefix("0x")
    try:
        return bytes.fromhex(digits)
    except ValueError as exc:
        raise SampleError(f"{path}: not hex digits ({exc})") from None


def _expected_reason(path: Path, bad_dir: Path) -> str:
    relative = path.relative_to(bad_dir)
    candidate = relative.parts[0] if len(relative.parts) > 1 else path.name.split(".", 1)[0]
    if candidate not in REASONS:
        raise SampleError(
            f"{path}: a bad sample's name (or folder) starts with the reason it must be rejected"
            f" with, one of {', '.join(sorted(REASONS))} (e.g. bad/decoder.truncated.hex)"
        )
    return candidate


def load_samples(folder: Path) -> list[Sample]:
    """Every sample under `folder`, good ones first, each group sorted by name."""
    if not folder.is_dir():
        raise SampleError(f"{folder}: no such folder of samples")
    bad_dir = folder / "bad"
    good: list[Sample] = []
    bad: list[Sample] = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix not in EXTENSIONS:
            continue
        if bad_dir in path.parents:
            bad.append(Sample(path, read_payload(path), _expected_reason(path, bad_dir)))
        elif path.parent == folder:
            good.append(Sample(path, read_payload(path)))
    if not good:
        raise SampleError(f"{folder}: no good samples ({', '.join(EXTENSIONS)} files)")
    return good + bad


def sample_topic(pattern: str, sample: Sample, home_id: str, device_id: str) -> str:
    """The topic a sample is published on: the model's pattern with the test device's ids."""

    def fill(match: re.Match[str]) -> str:
        var = match.group(1)
        if var == "device":
            return device_id
        if var == "home":
            return home_id
        if var == "channel":
            name = sample.name
            if sample.expect is not None:  # bad/<reason>.<channel>...: the channel comes next
                name = name.removeprefix(f"{sample.expect}.")
            stem = re.split(r"[.\-_]", name, maxsplit=1)[0]
            if stem not in CHANNELS:
                raise SampleError(
                    f"{sample.path}: the topic {pattern!r} has a {{channel}}: start the sample's"
                    f" name with one of {', '.join(CHANNELS)} (e.g. event-sos.json)"
                )
            return stem
        raise SampleError(f"topic pattern {pattern!r}: no value for {{{var}}} in a check")

    return _PLACEHOLDER.sub(fill, pattern)
