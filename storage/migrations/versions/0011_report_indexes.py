"""Indexes for the trend report's period queries on the escalation, signal and helpdesk
tables (``storage/report_area_repositories.py``): each selects the rows of one period by
a time column.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30

Written by hand to match ``storage/models.py`` (see ``0001`` for the conventions).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (index, table, column): the period column of each report query.
INDEXES: tuple[tuple[str, str, str], ...] = (
    ("ix_escalations_requested_at", "escalations", "requested_at"),
    ("ix_signals_created_at", "signals", "created_at"),
    ("ix_signal_matches_created_at", "signal_matches", "created_at"),
    ("ix_helpdesk_questions_created_at", "helpdesk_questions", "created_at"),
)


def upgrade() -> None:
    """Create the four period indexes."""
    for name, table, column in INDEXES:
        op.create_index(name, table, [column])


def downgrade() -> None:
    """Drop them."""
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
