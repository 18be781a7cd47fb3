"""Tables of time-driven work: durable scheduled jobs and ``!herinner`` reminders
(migration ``0003``; see ``storage.base`` for the conventions)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import MATRIX_ID_LENGTH, NAME_LENGTH, SHORT_LENGTH, Base
from storage.types import JSONText, UTCDateTime


class ScheduledJobRecord(Base):
    """A durable scheduled job (reminders, escalation timeouts, retention, ...).

    ``status``: ``pending`` -> ``running`` (claimed by a worker) -> ``done`` or
    ``failed``; or ``cancelled``. A ``dedupe_key`` names a job that exists at most once
    (scheduling it again re-arms the same row). ``entity_type``/``entity_id`` say what
    the job is about, so that all jobs of e.g. one agreement can be cancelled together.
    """

    __tablename__ = "scheduled_jobs"
    __table_args__ = (
        Index("ix_scheduled_jobs_status_due_at", "status", "due_at"),
        Index("ix_scheduled_jobs_entity", "entity_type", "entity_id"),
        # ``DELETE FROM scheduled_jobs WHERE status IN (finished) AND done_at < ?``
        # (retention, 0005).
        Index("ix_scheduled_jobs_done_at", "done_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    payload: Mapped[dict[str, Any]] = mapped_column(JSONText())
    dedupe_key: Mapped[str | None] = mapped_column(String(MATRIX_ID_LENGTH), unique=True)
    entity_type: Mapped[str | None] = mapped_column(String(SHORT_LENGTH))
    entity_id: Mapped[str | None] = mapped_column(String(MATRIX_ID_LENGTH))
    status: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    attempts: Mapped[int] = mapped_column(Integer)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReminderRecord(Base):
    """A ``!herinner`` reminder, numbered per room (``number``, shown to users and used by
    ``!herinnering annuleer <nr>``; numbers are never reused while the rows exist).

    ``target_user`` is whom to remind; NULL: the sender (``created_by``). ``text`` is
    content from an encrypted room: finished reminders should be purged by retention.
    """

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("room_id", "number", name="uq_reminders_room_id_number"),
        Index("ix_reminders_due_at", "due_at"),
        # ``!herinneringen``: a room's pending reminders, soonest first (0004).
        Index("ix_reminders_room_id_due_at", "room_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    room_id: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    number: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH))
    target_user: Mapped[str | None] = mapped_column(String(MATRIX_ID_LENGTH))
    text: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
