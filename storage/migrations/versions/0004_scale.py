"""Province scale: indexes for bounded reads, outbox delivery state (issue 14).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

Written by hand to match ``storage/models.py`` (see ``0001`` for the conventions).
Adds the outbox's delivery state (priority, per-room back-off, dead letters, who asked)
and the indexes that keep every command's reads bounded by what the asker can see
(``storage/scale_models.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_INDEXES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("ix_agreements_owner_user_status", "agreements", ("owner_user", "status", "deadline")),
    (
        "ix_agreements_case_id_status_deadline",
        "agreements",
        ("case_id", "status", "deadline"),
    ),
    (
        "ix_audit_log_entity_occurred_at",
        "audit_log",
        ("entity_type", "entity_id", "occurred_at"),
    ),
    ("ix_agreements_owner_org_status", "agreements", ("owner_org", "status")),
    ("ix_regie_proposals_to_user", "regie_proposals", ("to_user",)),
    ("ix_reminders_room_id_due_at", "reminders", ("room_id", "due_at")),
    ("ix_cases_status", "cases", ("status",)),
    ("ix_outbox_room_id_sent_at", "outbox", ("room_id", "sent_at")),
)


def upgrade() -> None:
    """Outbox delivery columns and the province-scale indexes."""
    op.add_column(
        "outbox", sa.Column("lane", sa.Integer(), server_default=sa.text("0"), nullable=False)
    )
    op.add_column("outbox", sa.Column("not_before", sa.DateTime(timezone=True), nullable=True))
    op.add_column("outbox", sa.Column("failure", sa.String(length=64), nullable=True))
    op.add_column("outbox", sa.Column("requested_by", sa.String(length=255), nullable=True))
    for name, table, columns in _INDEXES:
        op.create_index(name, table, list(columns), unique=False)


def downgrade() -> None:
    """Drop them again."""
    for name, table, _columns in reversed(_INDEXES):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("requested_by")
        batch.drop_column("failure")
        batch.drop_column("not_before")
        batch.drop_column("lane")
