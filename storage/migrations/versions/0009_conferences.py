"""Case conferences (issue 15).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30

Written by hand to match ``storage/conference_models.py`` (see ``0001`` for the
conventions).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the conference tables."""
    op.create_table(
        "conferences",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=64), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("organiser", sa.String(length=255), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_conferences_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conferences")),
        sa.UniqueConstraint("year", "number", name="uq_conferences_year_number"),
    )
    op.create_index(
        "ix_conferences_case_id_starts_at", "conferences", ["case_id", "starts_at"], unique=False
    )
    op.create_index(
        "ix_conferences_status_starts_at", "conferences", ["status", "starts_at"], unique=False
    )
    op.create_table(
        "conference_participants",
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("matrix_id", sa.String(length=255), nullable=False),
        sa.Column("organisation_code", sa.String(length=40), nullable=False),
        sa.Column("attendance", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["conference_id"],
            ["conferences.id"],
            name=op.f("fk_conference_participants_conference_id_conferences"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "conference_id", "matrix_id", name=op.f("pk_conference_participants")
        ),
    )
    op.create_index(
        "ix_conference_participants_matrix_id",
        "conference_participants",
        ["matrix_id"],
        unique=False,
    )
    op.create_table(
        "conference_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conference_id"],
            ["conferences.id"],
            name=op.f("fk_conference_entries_conference_id_conferences"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conference_entries")),
    )
    op.create_index(
        op.f("ix_conference_entries_conference_id"),
        "conference_entries",
        ["conference_id"],
        unique=False,
    )
    op.create_table(
        "conference_agreements",
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
            name=op.f("fk_conference_agreements_agreement_id_agreements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["conference_id"],
            ["conferences.id"],
            name=op.f("fk_conference_agreements_conference_id_conferences"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "conference_id", "agreement_id", name=op.f("pk_conference_agreements")
        ),
    )


def downgrade() -> None:
    """Drop the conference tables."""
    op.drop_table("conference_agreements")
    op.drop_index(op.f("ix_conference_entries_conference_id"), table_name="conference_entries")
    op.drop_table("conference_entries")
    op.drop_index("ix_conference_participants_matrix_id", table_name="conference_participants")
    op.drop_table("conference_participants")
    op.drop_index("ix_conferences_status_starts_at", table_name="conferences")
    op.drop_index("ix_conferences_case_id_starts_at", table_name="conferences")
    op.drop_table("conferences")
