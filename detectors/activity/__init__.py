"""Activity detectors that learn each home: inactivity, routine, rooms, front door, kitchen."""

from detectors.activity.config import ActivityConfig
from detectors.activity.detector import ActivityDetector
from detectors.activity.state import Mode

__all__ = ["ActivityConfig", "ActivityDetector", "Mode"]
