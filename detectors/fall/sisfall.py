"""SisFall trials (Sucerquia et al., 2017): waist-worn ADXL345 at 200 Hz, int16 counts.

The shared file `sisfall_adxl345_int16.npz` holds one (n, 3) array per trial under keys like
`SA01/F01_SA01_R01`; the folder is the subject (SA15 holds files named D17_SE15: the folder
wins). `Fxx` codes are the 15 fall types, `Dxx` the 19 activities of daily living.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

FS = 200.0
COUNTS_TO_G = 32.0 / 8192.0

FALL_TYPES = {
    "F01": "fall forward while walking (slip)",
    "F02": "fall backward while walking (slip)",
    "F03": "lateral fall while walking (slip)",
    "F04": "fall forward while walking (trip)",
    "F05": "fall forward while jogging (trip)",
    "F06": "vertical fall while walking (fainting)",
    "F07": "fall while walking, hands on a table (fainting)",
    "F08": "fall forward when trying to get up",
    "F09": "lateral fall when trying to get up",
    "F10": "fall forward when trying to sit down",
    "F11": "fall backward when trying to sit down",
    "F12": "lateral fall when trying to sit down",
    "F13": "fall forward while sitting (fainting, asleep)",
    "F14": "fall backward while sitting (fainting, asleep)",
    "F15": "lateral fall while sitting (fainting, asleep)",
}
ACTIVITIES = {
    "D01": "walking slowly",
    "D02": "walking quickly",
    "D03": "jogging slowly",
    "D04": "jogging quickly",
    "D05": "stairs up and down slowly",
    "D06": "stairs up and down quickly",
    "D07": "sit in a half-height chair slowly",
    "D08": "sit in a half-height chair quickly",
    "D09": "sit in a low chair slowly",
    "D10": "sit in a low chair quickly",
    "D11": "try to get up, collapse into a chair",
    "D12": "lie down slowly, sit again",
    "D13": "lie down quickly, sit again",
    "D14": "on the back, turn to the side and back",
    "D15": "bend at the knees and get up",
    "D16": "bend without bending the knees",
    "D17": "get into a car and out",
    "D18": "stumble while walking",
    "D19": "gentle jump (reach a high object)",
}


@dataclass(frozen=True, slots=True)
class Trial:
    key: str
    subject: str  # SA01..SA23 (young adults), SE01..SE15 (aged 60-75)
    code: str  # F01..F15 or D01..D19
    accel_g: NDArray[np.float64]  # (n, 3) at FS

    @property
    def fall(self) -> bool:
        return self.code.startswith("F")

    @property
    def elderly(self) -> bool:
        return self.subject.startswith("SE")

    @property
    def seconds(self) -> float:
        return float(self.accel_g.shape[0]) / FS


def parse_key(key: str) -> tuple[str, str]:
    """(subject, code) of a key like `SA01/F01_SA01_R01`."""
    subject, name = key.split("/", 1)
    return subject, name.split("_", 1)[0]


def trials(path: Path, subjects: set[str] | None = None) -> Iterator[Trial]:
    with np.load(path, allow_pickle=False) as data:
        for key in sorted(data.files):
            subject, code = parse_key(key)
            if subjects is not None and subject not in subjects:
                continue
            yield Trial(key, subject, code, data[key].astype(np.float64) * COUNTS_TO_G)
