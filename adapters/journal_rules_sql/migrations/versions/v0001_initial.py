"""The event and stream tables.

Revision ID: 0001
Revises:
Create Date: 2026-05-09
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_name = sa.Text().with_variant(postgresql.TEXT(collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "journal_streams",
        sa.Column("name", _name, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "journal_events",
        sa.Column("stream", _name, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.Column("occurred_on", sa.String(10), nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        # The unique (stream, version) key is what turns a lost race into a VersionConflict.
        sa.PrimaryKeyConstraint("stream", "version", name="pk_journal_events"),
    )
    op.create_index("ix_journal_events_recorded", "journal_events",
                    ["recorded_at", "stream", "version"])


def downgrade() -> None:
    op.drop_index("ix_journal_events_recorded", table_name="journal_events")
    op.drop_table("journal_events")
    op.drop_table("journal_streams")
