"""Anju's domain core: the device contract, homes, devices, readings and alarms. No I/O here."""
