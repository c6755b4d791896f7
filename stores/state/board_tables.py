"""Tables of the operator board: resident records, check-ins, call log, dispatches, presence.

They sit beside the state store's own tables (same MetaData, so queries can join homes,
residents and alarms). `create_all` only creates what is missing: this is the forward migration
for an existing SQLite or PostgreSQL database — no column of an older table is altered.
"""

from __future__ import annotations

import sqlalchemy as sa

from stores.state.tables import build_metadata

BOARD_TABLES = ("resident_records", "checkins", "call_log", "dispatches", "home_presence")


def build_board_metadata(schema: str | None = None) -> sa.MetaData:
    """The state store's tables plus the board's; only the board's are created from here."""
    md = build_metadata(schema)
    sa.Table(
        "resident_records",
        md,
        sa.Column("resident_id", sa.String(100), primary_key=True),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("updated_ms", sa.BigInteger, nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
    )
    sa.Table(
        "checkins",
        md,
        sa.Column("checkin_id", sa.String(64), primary_key=True),
        sa.Column("resident_id", sa.String(100), nullable=False),
        sa.Column("home_id", sa.String(100), nullable=False),
        sa.Column("community_id", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("result", sa.String(16), nullable=False),
        sa.Column("counts", sa.Boolean, nullable=False),
        sa.Column("at_ms", sa.BigInteger, nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Index("checkins_resident_month", "resident_id", "month"),
        sa.Index("checkins_community_month", "community_id", "month"),
    )
    sa.Table(
        "call_log",
        md,
        sa.Column("entry_id", sa.String(64), primary_key=True),
        sa.Column("alarm_id", sa.String(64), nullable=False, index=True),
        sa.Column("home_id", sa.String(100), nullable=False),
        sa.Column("at_ms", sa.BigInteger, nullable=False),
        sa.Column("caller", sa.String(200), nullable=False),
        sa.Column("callee", sa.String(32), nullable=False),
        sa.Column("callee_name", sa.String(200), nullable=False),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("result", sa.String(32), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )
    sa.Table(
        "dispatches",
        md,
        sa.Column("dispatch_id", sa.String(64), primary_key=True),
        sa.Column("alarm_id", sa.String(64), nullable=False, index=True),
        sa.Column("home_id", sa.String(100), nullable=False),
        sa.Column("at_ms", sa.BigInteger, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("service", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("lat", sa.Float, nullable=True),
        sa.Column("lon", sa.Float, nullable=True),
        sa.Column("fix_ms", sa.BigInteger, nullable=True),
        sa.Column("note", sa.Text, nullable=False),
    )
    sa.Table(
        "home_presence",
        md,
        sa.Column("home_id", sa.String(100), primary_key=True),
        sa.Column("last_activity_ms", sa.BigInteger, nullable=True),
        sa.Column("away_until_ms", sa.BigInteger, nullable=True),
        sa.Column("away_note", sa.Text, nullable=False, default=""),
        sa.Column("updated_ms", sa.BigInteger, nullable=False),
    )
    return md


def create_board_tables(md: sa.MetaData, engine: sa.engine.Engine, schema: str | None) -> None:
    prefix = f"{schema}." if schema else ""
    md.create_all(engine, tables=[md.tables[prefix + name] for name in BOARD_TABLES])
