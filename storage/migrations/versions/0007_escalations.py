"""Escalations with acknowledgement (issue 11) and reaction targets.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

Written by hand to match ``storage/escalation_models.py`` (see ``0001`` for the
conventions). ``reaction_targets`` (any bot message that accepts reactions) is general, not
only for escalations. (Direct chats are in ``0010``.)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the escalation tables and the reaction targets."""
    op.create_table(
        "escalation_sequences",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_escalation_sequences")),
    )
    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("route", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=64), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("partner_org", sa.String(length=40), nullable=True),
        sa.Column("requester", sa.String(length=255), nullable=False),
        sa.Column("requester_org", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decision_asked", sa.Text(), nullable=False),
        sa.Column("current_level", sa.Integer(), nullable=False),
        sa.Column("level_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=255), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_escalations_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalations")),
        sa.UniqueConstraint("reference", name=op.f("uq_escalations_reference")),
    )
    op.create_index(
        "ix_escalations_acknowledged_by", "escalations", ["acknowledged_by"], unique=False
    )
    op.create_index(op.f("ix_escalations_case_id"), "escalations", ["case_id"], unique=False)
    op.create_index(
        "ix_escalations_status_requested_at",
        "escalations",
        ["status", "requested_at"],
        unique=False,
    )
    op.create_table(
        "escalation_levels",
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("target_kind", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("ack_working_hours", sa.Float(), nullable=False),
        sa.Column("decision_working_days", sa.Integer(), nullable=False),
        sa.Column("urgent_ack_minutes", sa.Float(), nullable=False),
        sa.Column("urgent_decision_hours", sa.Float(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["escalation_id"],
            ["escalations.id"],
            name=op.f("fk_escalation_levels_escalation_id_escalations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("escalation_id", "number", name=op.f("pk_escalation_levels")),
    )
    op.create_table(
        "escalation_targets",
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("matrix_id", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["escalation_id"],
            ["escalations.id"],
            name=op.f("fk_escalation_targets_escalation_id_escalations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "escalation_id", "level", "matrix_id", name=op.f("pk_escalation_targets")
        ),
    )
    op.create_index(
        "ix_escalation_targets_matrix_id", "escalation_targets", ["matrix_id"], unique=False
    )
    op.create_table(
        "reaction_targets",
        sa.Column("txn_id", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("room_id", sa.String(length=255), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("txn_id", name=op.f("pk_reaction_targets")),
        sa.UniqueConstraint("event_id", name=op.f("uq_reaction_targets_event_id")),
    )


def downgrade() -> None:
    """Drop them again."""
    op.drop_table("reaction_targets")
    op.drop_index("ix_escalation_targets_matrix_id", table_name="escalation_targets")
    op.drop_table("escalation_targets")
    op.drop_table("escalation_levels")
    op.drop_index("ix_escalations_status_requested_at", table_name="escalations")
    op.drop_index(op.f("ix_escalations_case_id"), table_name="escalations")
    op.drop_index("ix_escalations_acknowledged_by", table_name="escalations")
    op.drop_table("escalations")
    op.drop_table("escalation_sequences")
