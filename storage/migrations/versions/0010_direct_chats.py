"""Direct chats with members and the messages waiting for them to join.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30

Written by hand to match ``storage/models.py`` (see ``0001`` for the conventions).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``direct_chats`` and ``direct_pending``."""
    op.create_table(
        "direct_chats",
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("room_id", sa.String(length=255), nullable=True),
        sa.Column("joined", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_direct_chats")),
        sa.UniqueConstraint("room_id", name=op.f("uq_direct_chats_room_id")),
    )
    op.create_table(
        "direct_pending",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("txn_id", sa.String(length=255), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_direct_pending")),
        sa.UniqueConstraint("txn_id", name=op.f("uq_direct_pending_txn_id")),
    )
    op.create_index(op.f("ix_direct_pending_user_id"), "direct_pending", ["user_id"], unique=False)


def downgrade() -> None:
    """Drop both tables."""
    op.drop_index(op.f("ix_direct_pending_user_id"), table_name="direct_pending")
    op.drop_table("direct_pending")
    op.drop_table("direct_chats")
