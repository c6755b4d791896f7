"""Escalation: policies, the engine that climbs them on durable timers, the feed runner."""
