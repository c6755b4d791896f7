"""Device supervision: technical alarms (offline, gateway, battery, pendant not worn, stuck)."""

from detectors.supervision.detector import SupervisionConfig, SupervisionDetector

__all__ = ["SupervisionConfig", "SupervisionDetector"]
