"""Detectors: read accepted messages (and the passing of time) and report Detections."""
