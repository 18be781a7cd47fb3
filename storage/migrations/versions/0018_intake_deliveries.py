"""Deliveries of the signed intake endpoint (issue 23).

Revision ID: 0016
Revises: 0012
Create Date: 2026-12-08

Written by hand to match ``storage/models.py`` (see ``0001`` for the conventions).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``intake_deliveries``."""
    op.create_table(
        "intake_deliveries",
        sa.Column("delivery_key", sa.String(length=64), nullable=False),
        sa.Column("organisation_code", sa.String(length=40), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("delivery_key", name=op.f("pk_intake_deliveries")),
    )
    op.create_index(
        "ix_intake_deliveries_received_at", "intake_deliveries", ["received_at"], unique=False
    )


def downgrade() -> None:
    """Drop it again."""
    op.drop_index("ix_intake_deliveries_received_at", table_name="intake_deliveries")
    op.drop_table("intake_deliveries")
