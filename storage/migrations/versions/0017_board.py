"""The case board's login links and sessions (hashes only).

Revision ID: 0017
Revises: 0014 (0012 on its own branch; chained after the privacy merge)
Create Date: 2026-12-08

Written by hand to match ``storage/models.py`` (see ``0001`` for the conventions).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``board_links`` and ``board_sessions``."""
    op.create_table(
        "board_links",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_board_links")),
    )
    op.create_index(op.f("ix_board_links_user_id"), "board_links", ["user_id"], unique=False)
    op.create_table(
        "board_sessions",
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("session_hash", name=op.f("pk_board_sessions")),
    )
    op.create_index(op.f("ix_board_sessions_user_id"), "board_sessions", ["user_id"], unique=False)
    op.create_index(
        op.f("ix_board_sessions_expires_at"), "board_sessions", ["expires_at"], unique=False
    )


def downgrade() -> None:
    """Drop both tables."""
    op.drop_index(op.f("ix_board_sessions_expires_at"), table_name="board_sessions")
    op.drop_index(op.f("ix_board_sessions_user_id"), table_name="board_sessions")
    op.drop_table("board_sessions")
    op.drop_index(op.f("ix_board_links_user_id"), table_name="board_links")
    op.drop_table("board_links")
