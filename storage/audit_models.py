"""The audit trail's table (see ``storage.base`` for the conventions)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import MATRIX_ID_LENGTH, ORG_CODE_LENGTH, SHORT_LENGTH, Base
from storage.types import JSONText, UTCDateTime


class AuditLogRecord(Base):
    """One entry of the append-only audit trail: who did what, when, where, to what.

    Never message bodies: ``details`` holds identifiers, codes and counts only.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_entity", "entity_type", "entity_id"),
        Index("ix_audit_log_room_id", "room_id"),
        Index("ix_audit_log_occurred_at", "occurred_at"),
        # ``!tijdlijn``: a case's entries, newest first (0004). With the sort column in the
        # index the database reads exactly one page; without it PostgreSQL may walk a time
        # index of the whole province and filter (its generic plan for a prepared statement
        # does that for an old, long case timeline: 300,000 rows for 20).
        Index("ix_audit_log_entity_occurred_at", "entity_type", "entity_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    actor_org: Mapped[str | None] = mapped_column(String(ORG_CODE_LENGTH))
    action: Mapped[str] = mapped_column(String(100))
    room_id: Mapped[str | None] = mapped_column(String(MATRIX_ID_LENGTH))
    entity_type: Mapped[str | None] = mapped_column(String(SHORT_LENGTH))
    entity_id: Mapped[str | None] = mapped_column(String(MATRIX_ID_LENGTH))
    details: Mapped[dict[str, Any]] = mapped_column(JSONText())
