"""Prometheus metrics of the alarm service (default registry)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

OPEN_ALARMS = Gauge("anju_alarms_open", "open alarms", ["severity"])
RAISED = Counter("anju_alarms_raised_total", "alarms opened", ["type"])
REPEATS = Counter("anju_alarms_repeats_total", "detections folded into an open alarm", ["type"])
ACTIONS = Counter("anju_alarm_actions_total", "accept / resolve actions", ["action"])
HANDLE_SECONDS = Histogram(
    "anju_alarm_handle_seconds",
    "detection -> stored and published",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)
PENDING = Gauge("anju_alarm_detections_pending", "detections waiting for the state store")
DROPPED = Counter("anju_alarm_detections_dropped_total", "detections dropped: retry backlog full")
