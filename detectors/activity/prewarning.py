"""The spoken pre-warning: the `announce` command a `prewarning` detection asks the home for.

The resident answers with the pendant's "I'm OK" (a `cancel` event) or simply by moving; the
detector then emits `prewarning_cancelled` and no alarm goes out.
"""

from __future__ import annotations

from domain import contract
from domain.alarms import Detection

TEXT = {
    "zh-CN": "您好，我们有一会儿没有看到您活动了。如果您没事，请按一下按钮。",
    "en": "Hello, we have not seen you move for a while. If you are fine, press the button.",
}


def announce(detection: Detection, command_id: str, language: str = "zh-CN") -> contract.Command:
    """The downlink for a `prewarning` detection (to the home's gateway or speaker)."""
    if detection.type != "prewarning":
        raise ValueError(f"not a prewarning: {detection.type}")
    alarm_ms = int(detection.evidence.get("alarm_ms", detection.ts_ms))
    return contract.Command(
        v=1,
        id=command_id,
        name="announce",
        args={
            "text": TEXT.get(language, TEXT["zh-CN"]),
            "rule": str(detection.evidence.get("rule", "")),
            "cancel_by_ms": alarm_ms,
        },
    )
