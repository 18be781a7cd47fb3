"""The delivery lane of a direct message that waits for its recipient to join.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01

Written by hand to match ``storage/models.py`` (see ``0001`` for the conventions).
A held direct message keeps the lane of the unit of work that sent it (a scheduled
notice stays bulk when the member joins); messages held before this were interactive.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``direct_pending.lane`` (0, interactive, for what already waits)."""
    op.add_column(
        "direct_pending",
        sa.Column("lane", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )


def downgrade() -> None:
    """Drop it again."""
    with op.batch_alter_table("direct_pending") as batch:
        batch.drop_column("lane")
