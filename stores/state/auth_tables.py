"""Tables of users, their scopes, sessions, API tokens and the audit log (beside the state)."""

from __future__ import annotations

import sqlalchemy as sa

BigId = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def build_auth_metadata(schema: str | None = None) -> sa.MetaData:
    md = sa.MetaData(schema=schema)
    sa.Table(
        "users",
        md,
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),  # argon2id, PHC string
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("updated_ms", sa.BigInteger, nullable=False),
    )
    sa.Table(  # operator -> community, family -> resident, integrator -> model
        "user_scopes",
        md,
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("value", sa.String(100), primary_key=True),
        sa.Index("user_scopes_value", "kind", "value"),
    )
    sa.Table(
        "user_sessions",
        md,
        sa.Column("session_hash", sa.String(64), primary_key=True),  # sha256 of the cookie
        sa.Column("user_id", sa.String(64), nullable=False, index=True),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("expires_ms", sa.BigInteger, nullable=False, index=True),
        sa.Column("ip", sa.String(64), nullable=False),
        sa.Column("user_agent", sa.String(300), nullable=False),
    )
    sa.Table(
        "api_tokens",
        md,
        sa.Column("token_id", sa.String(32), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),  # sha256
        sa.Column("user_id", sa.String(64), nullable=False, index=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("last_used_ms", sa.BigInteger, nullable=True),
        sa.Column("revoked_ms", sa.BigInteger, nullable=True),
    )
    sa.Table(
        "audit_events",
        md,
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("at_ms", sa.BigInteger, nullable=False, index=True),
        sa.Column("actor_id", sa.String(120), nullable=False, index=True),
        sa.Column("actor_name", sa.String(120), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),  # read, write, login, ...
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("path", sa.String(300), nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        sa.Column("user_agent", sa.String(300), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    sa.Table(
        "audit_subjects",
        md,
        sa.Column("event_id", BigId, primary_key=True),
        sa.Column("subject_id", sa.String(100), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Index("audit_subjects_subject", "kind", "subject_id"),
    )
    return md
