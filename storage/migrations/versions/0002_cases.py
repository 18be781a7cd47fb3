"""Cases: yearly case numbers, cases, their members and regie proposals.

Revision ID: 0002
Revises: 0001
Create Date: 2025-11-29

Written by hand to match ``storage/models.py`` (see ``0001`` for the conventions).
Statuses, kinds and resolutions are plain strings, so a new value needs no migration.
The partial unique index keeps at most one open regie proposal per case; both SQLite
and PostgreSQL support partial indexes (and ``ON CONFLICT`` against them).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the case tables."""
    op.create_table(
        "case_sequences",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_case_sequences")),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("municipality", sa.String(length=200), nullable=False),
        sa.Column("case_type", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=64), nullable=False),
        sa.Column("room_id", sa.String(length=255), nullable=True),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("regie_holder", sa.String(length=255), nullable=True),
        sa.Column("regie_org", sa.String(length=40), nullable=True),
        sa.Column("regie_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("regie_vacant_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unregie_reported_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("reference", name=op.f("uq_cases_reference")),
        sa.UniqueConstraint("room_id", name=op.f("uq_cases_room_id")),
    )
    op.create_index("ix_cases_regie_holder", "cases", ["regie_holder"], unique=False)
    op.create_table(
        "case_members",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("matrix_id", sa.String(length=255), nullable=False),
        sa.Column("organisation_code", sa.String(length=40), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("casemanager", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_members_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", "matrix_id", name=op.f("pk_case_members")),
    )
    op.create_index("ix_case_members_matrix_id", "case_members", ["matrix_id"], unique=False)
    op.create_table(
        "regie_proposals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("from_user", sa.String(length=255), nullable=False),
        sa.Column("to_user", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_regie_proposals_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regie_proposals")),
    )
    op.create_index(
        "uq_regie_proposals_open_case_id",
        "regie_proposals",
        ["case_id"],
        unique=True,
        sqlite_where=sa.text("resolved_at IS NULL"),
        postgresql_where=sa.text("resolved_at IS NULL"),
    )


def downgrade() -> None:
    """Drop the case tables (destroys all cases: for development only)."""
    op.drop_index("uq_regie_proposals_open_case_id", table_name="regie_proposals")
    op.drop_table("regie_proposals")
    op.drop_index("ix_case_members_matrix_id", table_name="case_members")
    op.drop_table("case_members")
    op.drop_index("ix_cases_regie_holder", table_name="cases")
    op.drop_table("cases")
    op.drop_table("case_sequences")
