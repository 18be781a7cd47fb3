"""Signals, TVO triage and matching (issue 10): signals (pseudonyms only), matches,
case persons and signals recorded inside cases.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

Written to match ``storage/signal_models.py`` (see ``0001`` for the conventions).
No column holds an identifier: persons appear only as keyed pseudonyms.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the signal tables."""
    op.create_table(
        "case_persons",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("pseudonym", sa.String(length=80), nullable=False),
        sa.Column("key_version", sa.String(length=16), nullable=False),
        sa.Column("weak_key", sa.Boolean(), nullable=False),
        sa.Column("linked_by", sa.String(length=255), nullable=False),
        sa.Column("linked_room", sa.String(length=255), nullable=True),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_persons_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_persons")),
    )
    op.create_index(op.f("ix_case_persons_pseudonym"), "case_persons", ["pseudonym"], unique=False)
    op.create_table(
        "case_signals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("organisation_code", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_signals_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_signals")),
        sa.UniqueConstraint("case_id", "number", name="uq_case_signals_case_id_number"),
    )
    op.create_table(
        "signals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("pseudonym", sa.String(length=80), nullable=False),
        sa.Column("key_version", sa.String(length=16), nullable=False),
        sa.Column("weak_key", sa.Boolean(), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("municipality", sa.String(length=200), nullable=True),
        sa.Column("professional", sa.String(length=255), nullable=False),
        sa.Column("organisation_code", sa.String(length=40), nullable=False),
        sa.Column("contact_room", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delete_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=64), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("triage", sa.String(length=64), nullable=False),
        sa.Column("relist_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_signals_case_id_cases"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signals")),
        sa.UniqueConstraint("reference", name=op.f("uq_signals_reference")),
        sa.UniqueConstraint("year", "number", name="uq_signals_year_number"),
    )
    op.create_index(
        "ix_signals_municipality_triage", "signals", ["municipality", "triage"], unique=False
    )
    op.create_index("ix_signals_professional", "signals", ["professional"], unique=False)
    op.create_index("ix_signals_pseudonym", "signals", ["pseudonym"], unique=False)
    op.create_table(
        "signal_matches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("signal_id", sa.Integer(), nullable=False),
        sa.Column("other_signal_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_signal_matches_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["other_signal_id"],
            ["signals.id"],
            name=op.f("fk_signal_matches_other_signal_id_signals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["signal_id"],
            ["signals.id"],
            name=op.f("fk_signal_matches_signal_id_signals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signal_matches")),
    )
    op.create_index(op.f("ix_signal_matches_case_id"), "signal_matches", ["case_id"], unique=False)
    op.create_index(
        op.f("ix_signal_matches_other_signal_id"),
        "signal_matches",
        ["other_signal_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_signal_matches_signal_id"), "signal_matches", ["signal_id"], unique=False
    )


def downgrade() -> None:
    """Drop the signal tables (destroys every signal and match)."""
    op.drop_index(op.f("ix_signal_matches_signal_id"), table_name="signal_matches")
    op.drop_index(op.f("ix_signal_matches_other_signal_id"), table_name="signal_matches")
    op.drop_index(op.f("ix_signal_matches_case_id"), table_name="signal_matches")
    op.drop_table("signal_matches")
    op.drop_index("ix_signals_pseudonym", table_name="signals")
    op.drop_index("ix_signals_professional", table_name="signals")
    op.drop_index("ix_signals_municipality_triage", table_name="signals")
    op.drop_table("signals")
    op.drop_table("case_signals")
    op.drop_index(op.f("ix_case_persons_pseudonym"), table_name="case_persons")
    op.drop_table("case_persons")
