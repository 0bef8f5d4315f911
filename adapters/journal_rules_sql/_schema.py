"""The tables, as the migrations leave them (the migrations are the authority on the schema)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

metadata = sa.MetaData()

# Stream names are compared in code-point order on every database, as MemoryStore sorts them:
# PostgreSQL's default collation would order Cyrillic and punctuation differently.
StreamName = sa.Text().with_variant(postgresql.TEXT(collation="C"), "postgresql")

streams = sa.Table(
    "journal_streams", metadata,
    sa.Column("name", StreamName, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("last_hash", sa.String(64), nullable=False),
)

events = sa.Table(
    "journal_events", metadata,
    sa.Column("stream", StreamName, primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    # UTC, ISO 8601 with microseconds always present, so text order is time order everywhere.
    sa.Column("recorded_at", sa.String(32), nullable=False),
    sa.Column("occurred_on", sa.String(10), nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    # JSON text, not JSONB: JSONB rewrites numbers and key order, and the hash covers the data.
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Index("ix_journal_events_recorded", "recorded_at", "stream", "version"),
)
