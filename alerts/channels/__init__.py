"""Notification channels: webhook, e-mail (SMTP), SMS and voice through a provider's HTTP API."""
