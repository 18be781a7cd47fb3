"""Agreements (with postponements), durable scheduled jobs and ``!herinner`` reminders.

Revision ID: 0003
Revises: 0002
Create Date: 2025-11-29

Written by hand to match ``storage/models.py`` (see ``0001`` for the conventions).
Job payloads are JSON text, like every other document column.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the agreement, job and reminder tables."""
    op.create_table(
        "agreements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_user", sa.String(length=255), nullable=True),
        sa.Column("owner_org", sa.String(length=40), nullable=True),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=64), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "owner_user IS NOT NULL OR owner_org IS NOT NULL",
            name=op.f("ck_agreements_has_owner"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_agreements_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreements")),
        sa.UniqueConstraint("case_id", "number", name="uq_agreements_case_id_number"),
    )
    op.create_index(
        "ix_agreements_status_deadline", "agreements", ["status", "deadline"], unique=False
    )
    op.create_table(
        "agreement_postponements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("old_deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("new_deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by_user", sa.String(length=255), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
            name=op.f("fk_agreement_postponements_agreement_id_agreements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_postponements")),
    )
    op.create_index(
        op.f("ix_agreement_postponements_agreement_id"),
        "agreement_postponements",
        ["agreement_id"],
        unique=False,
    )
    op.create_table(
        "scheduled_jobs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=255), nullable=True),
        sa.Column("entity_type", sa.String(length=64), nullable=True),
        sa.Column("entity_id", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=64), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_jobs")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_scheduled_jobs_dedupe_key")),
    )
    op.create_index(
        "ix_scheduled_jobs_entity", "scheduled_jobs", ["entity_type", "entity_id"], unique=False
    )
    op.create_index(
        "ix_scheduled_jobs_status_due_at", "scheduled_jobs", ["status", "due_at"], unique=False
    )
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("room_id", sa.String(length=255), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("target_user", sa.String(length=255), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.UniqueConstraint("room_id", "number", name="uq_reminders_room_id_number"),
    )
    op.create_index("ix_reminders_due_at", "reminders", ["due_at"], unique=False)


def downgrade() -> None:
    """Drop the tables of this revision (destroys agreements, jobs and reminders)."""
    op.drop_index("ix_reminders_due_at", table_name="reminders")
    op.drop_table("reminders")
    op.drop_index("ix_scheduled_jobs_status_due_at", table_name="scheduled_jobs")
    op.drop_index("ix_scheduled_jobs_entity", table_name="scheduled_jobs")
    op.drop_table("scheduled_jobs")
    op.drop_index(
        op.f("ix_agreement_postponements_agreement_id"), table_name="agreement_postponements"
    )
    op.drop_table("agreement_postponements")
    op.drop_index("ix_agreements_status_deadline", table_name="agreements")
    op.drop_table("agreements")
