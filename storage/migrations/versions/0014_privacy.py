"""The access log (issue 22): every read of case or person data, hash-chained; requests
of persons concerned and restricted pseudonyms.

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-08

Written by hand to match ``storage/models.py`` (see ``0001`` for the conventions).
The head row starts at seq 0 with the genesis hash (``avz_bot.domain.privacy.chain``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64


def upgrade() -> None:
    """Create ``access_log``, ``access_log_shown`` and ``access_log_head`` (with its row)."""
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reader", sa.String(length=255), nullable=False),
        sa.Column("organisation", sa.String(length=40), nullable=True),
        sa.Column("role", sa.String(length=64), nullable=True),
        sa.Column("command", sa.String(length=64), nullable=False),
        sa.Column("room_id", sa.String(length=255), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
        sa.UniqueConstraint("seq", name=op.f("uq_access_log_seq")),
    )
    op.create_index("ix_access_log_occurred_at", "access_log", ["occurred_at"], unique=False)
    op.create_table(
        "access_log_shown",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("reference", sa.String(length=80), nullable=True),
        sa.Column("salt", sa.String(length=32), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["access_log.id"],
            name=op.f("fk_access_log_shown_entry_id_access_log"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log_shown")),
    )
    op.create_index(
        op.f("ix_access_log_shown_entry_id"), "access_log_shown", ["entry_id"], unique=False
    )
    op.create_index(
        "ix_access_log_shown_ref",
        "access_log_shown",
        ["kind", "reference", "entry_id"],
        unique=False,
    )
    head = op.create_table(
        "access_log_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log_head")),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS}])
    op.create_table(
        "privacy_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=64), nullable=False),
        sa.Column("pseudonyms", sa.Text(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("extension_reason", sa.Text(), nullable=True),
        sa.Column("registered_by", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("told", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_requests")),
        sa.UniqueConstraint("year", "number", name="uq_privacy_requests_year_number"),
    )
    op.create_index(
        "ix_privacy_requests_status_due_on", "privacy_requests", ["status", "due_on"], unique=False
    )
    op.create_table(
        "privacy_restrictions",
        sa.Column("pseudonym", sa.String(length=80), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("pseudonym", name=op.f("pk_privacy_restrictions")),
    )


def downgrade() -> None:
    """Drop the tables."""
    op.drop_table("privacy_restrictions")
    op.drop_index("ix_privacy_requests_status_due_on", table_name="privacy_requests")
    op.drop_table("privacy_requests")
    op.drop_table("access_log_head")
    op.drop_index("ix_access_log_shown_ref", table_name="access_log_shown")
    op.drop_index(op.f("ix_access_log_shown_entry_id"), table_name="access_log_shown")
    op.drop_table("access_log_shown")
    op.drop_index("ix_access_log_occurred_at", table_name="access_log")
    op.drop_table("access_log")
