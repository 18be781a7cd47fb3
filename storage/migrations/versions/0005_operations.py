"""Operations: housekeeping and registry reload (issue 8).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30

Written by hand to match ``storage/models.py`` (see ``0001`` for the conventions).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Indexes for the retention job's deletes by age."""
    op.create_index("ix_processed_events_processed_at", "processed_events", ["processed_at"])
    op.create_index("ix_scheduled_jobs_done_at", "scheduled_jobs", ["done_at"])


def downgrade() -> None:
    """Drop the retention indexes."""
    op.drop_index("ix_scheduled_jobs_done_at", table_name="scheduled_jobs")
    op.drop_index("ix_processed_events_processed_at", table_name="processed_events")
