"""What a sample says before Anju validates it: the decoder's own output (or the contract JSON
of a model without a decoder). The check reads it to blame the capability at fault when a good
sample is rejected, and to run at the samples' own time when they carry device timestamps."""

from __future__ import annotations

import json

from device_models.conformance_samples import Sample, sample_topic
from device_models.model import DeviceModel
from device_models.spec import DecodeContext

CHECK_HOME = "check-home"
CHECK_DEVICE = "check-dev"


def raw_output(model: DeviceModel, sample: Sample, received_ms: int) -> list[dict[str, object]]:
    """The messages (dicts) the decoder returns for the sample; [] if it fails or returns junk."""
    topic = sample_topic(model.match.topic, sample, CHECK_HOME, CHECK_DEVICE)
    vars_ = model.pattern.match(topic) or {}
    raw: object = None
    try:
        if model.decoder is None:  # the payload is the contract's JSON, the channel in the topic
            raw = [{**json.loads(sample.payload), "channel": vars_.get("channel")}]
        else:
            ctx = DecodeContext(vars_.get("device", CHECK_DEVICE), topic, received_ms, vars_)
            raw = model.decoder(sample.payload, ctx)
    except Exception:  # the decoder's own failure shows when the sample is decoded for real
        return []
    if not isinstance(raw, list):
        return []
    return [item for item in raw if isinstance(item, dict)]


def check_time_ms(model: DeviceModel, samples: list[Sample], wall_ms: int) -> int:
    """When the check runs: just after the latest device timestamp the good samples carry (a
    capture from last month is not `clock_past` then), or now if they carry none."""
    latest: int | None = None
    for sample in samples:
        if not sample.good:
            continue
        for item in raw_output(model, sample, wall_ms):
            ts = item.get("ts")
            if isinstance(ts, int) and not isinstance(ts, bool):
                latest = ts if latest is None else max(latest, ts)
    return wall_ms if latest is None else latest + 1000
