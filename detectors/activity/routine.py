"""The daily routine-deviation score: how unlike this person's usual day was today.

Each finished day becomes a small feature vector; the score is the largest robust z-score of
today against the previous days. A high score is a gentle "wellness" notice for the family
(severity MINOR), never an alarm.
"""

from __future__ import annotations

import math

import numpy as np

from detectors.activity.state import DayStats

FEATURES = ("activity", "kitchen", "bathroom_visits", "outings", "rest_hours")
# the smallest spread assumed per feature, so a very regular person is not flagged for noise
_MIN_SPREAD = np.array([0.35, 0.5, 1.5, 1.0, 1.5])
HISTORY_DAYS = 28


def features(day: DayStats) -> list[float]:
    return [
        math.log1p(day.events),
        math.log1p(day.kitchen),
        float(day.bathroom_visits),
        float(day.outings),
        day.rest_s / 3600,
    ]


def score(today: list[float], history: list[list[float]]) -> tuple[float, str]:
    """(score, the feature that deviates most) against the previous days."""
    past = np.asarray(history, dtype=float)
    median = np.median(past, axis=0)
    spread = 1.4826 * np.median(np.abs(past - median), axis=0)  # MAD, scaled to a sigma
    spread = np.maximum(spread, _MIN_SPREAD)
    z = np.abs(np.asarray(today) - median) / spread
    worst = int(np.argmax(z))
    return float(z[worst]), FEATURES[worst]


def remember(history: list[list[float]], today: list[float]) -> None:
    history.append(today)
    if len(history) > HISTORY_DAYS:
        del history[0]
