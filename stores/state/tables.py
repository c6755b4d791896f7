"""The state store's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa


def build_metadata(schema: str | None = None) -> sa.MetaData:
    """All tables; `schema` puts them in a PostgreSQL schema (tests use a throwaway one)."""
    md = sa.MetaData(schema=schema)
    sa.Table(
        "homes",
        md,
        sa.Column("home_id", sa.String(100), primary_key=True),
        sa.Column("community_id", sa.String(100), nullable=False, index=True),
        sa.Column("address", sa.Text, nullable=False, default=""),
        sa.Column("lat", sa.Float, nullable=True),
        sa.Column("lon", sa.Float, nullable=True),
        sa.Column("timezone", sa.String(64), nullable=False),
    )
    sa.Table(
        "residents",
        md,
        sa.Column("resident_id", sa.String(100), primary_key=True),
        sa.Column("home_id", sa.String(100), nullable=False, index=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("birth_year", sa.Integer, nullable=True),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("phone", sa.String(64), nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("risk", sa.JSON, nullable=False),
    )
    sa.Table(
        "devices",
        md,
        sa.Column("device_id", sa.String(100), primary_key=True),
        sa.Column("home_id", sa.String(100), nullable=False, index=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("room", sa.String(32), nullable=True),
        sa.Column("enabled", sa.Boolean, nullable=False),
    )
    sa.Table(
        "alarms",
        md,
        sa.Column("alarm_id", sa.String(64), primary_key=True),
        sa.Column("home_id", sa.String(100), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("raised_ms", sa.BigInteger, nullable=False, index=True),
        sa.Column("updated_ms", sa.BigInteger, nullable=False),
        sa.Column("device_id", sa.String(100), nullable=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.Index("alarms_home_type_state", "home_id", "type", "state"),
        sa.Index("alarms_state_raised", "state", "raised_ms"),
    )
    sa.Table(
        "alarm_history",
        md,
        sa.Column("alarm_id", sa.String(64), primary_key=True),
        sa.Column("pos", sa.Integer, primary_key=True),
        sa.Column("at_ms", sa.BigInteger, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )
    sa.Table(
        "dead_letters",
        md,
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        sa.Column("received_ms", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.String(64), nullable=False, index=True),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
    )
    sa.Table(
        "blobs",
        md,
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("value", sa.LargeBinary, nullable=False),
    )
    return md
