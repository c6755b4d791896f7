"""Tables of the escalation engine: policies, contacts, escalations, timers, the outbox."""

from __future__ import annotations

import sqlalchemy as sa


def build_escalation_metadata(schema: str | None = None) -> sa.MetaData:
    md = sa.MetaData(schema=schema)
    sa.Table(
        "esc_policies",
        md,
        sa.Column("community_id", sa.String(100), primary_key=True),
        sa.Column("body", sa.JSON, nullable=False),
    )
    sa.Table(
        "esc_contacts",
        md,
        sa.Column("contact_id", sa.String(100), primary_key=True),
        sa.Column("scope", sa.String(100), nullable=False, index=True),
        sa.Column("body", sa.JSON, nullable=False),
    )
    sa.Table(
        "esc_escalations",
        md,
        sa.Column("alarm_id", sa.String(64), primary_key=True),
        sa.Column("home_id", sa.String(100), nullable=False, index=True),
        sa.Column("community_id", sa.String(100), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("alarm_type", sa.String(64), nullable=False),
        sa.Column("raised_ms", sa.BigInteger, nullable=False),
        sa.Column("policy", sa.JSON, nullable=False),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("started_ms", sa.BigInteger, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, index=True),
        sa.Column("incident_id", sa.String(64), nullable=False, index=True),
        sa.Column("stop_reason", sa.String(64), nullable=False),
    )
    sa.Table(
        "esc_timers",
        md,
        sa.Column("alarm_id", sa.String(64), primary_key=True),
        sa.Column("generation", sa.Integer, primary_key=True),
        sa.Column("stage", sa.Integer, primary_key=True),
        sa.Column("round", sa.Integer, primary_key=True),
        sa.Column("due_ms", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),  # pending, fired, cancelled
        sa.Column("fired_ms", sa.BigInteger, nullable=True),
        sa.Index("esc_timers_status_due", "status", "due_ms"),
    )
    sa.Table(
        "esc_outbox",
        md,
        sa.Column("key", sa.String(300), primary_key=True),  # idempotency key
        sa.Column("alarm_id", sa.String(64), nullable=False, index=True),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("stage", sa.Integer, nullable=False),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("contact_id", sa.String(100), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("message", sa.JSON, nullable=False),  # language, subject, text, link, ...
        sa.Column("status", sa.String(16), nullable=False),  # pending delivered failed cancelled
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_ms", sa.BigInteger, nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("sent_ms", sa.BigInteger, nullable=True),
        sa.Column("error", sa.Text, nullable=False),
        sa.Index("esc_outbox_status_next", "status", "next_ms"),
    )
    return md
