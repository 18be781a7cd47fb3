"""Retention: deleting what the bot no longer needs, a bounded batch at a time.

Never the audit trail. What may be deleted, and from when, is decided by the caller
(``avz_bot.services.operations.retention``); this module only deletes rows older than the
instant it is given, oldest first, at most ``limit`` per call (short transactions, no
long locks on a busy table). Every query filters on an indexed column.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.outbox_models import OutboxRecord
from storage.runtime_models import ProcessedEventRecord
from storage.schedule_models import ReminderRecord, ScheduledJobRecord
from storage.schedule_repositories import JOB_FINISHED_STATUSES
from storage.sql import _rowcount


class RetentionRepository:
    """Bounded deletes by age for ``processed_events``, ``outbox``, ``scheduled_jobs``
    and ``reminders``. Never commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def prune_processed_events(self, before: datetime, limit: int) -> int:
        """Delete up to ``limit`` handled-event records processed before ``before``."""
        oldest = (
            select(ProcessedEventRecord.event_id)
            .where(ProcessedEventRecord.processed_at < before)
            .order_by(ProcessedEventRecord.processed_at)
            .limit(limit)
        )
        stmt = delete(ProcessedEventRecord).where(ProcessedEventRecord.event_id.in_(oldest))
        return await _rowcount(self._session, stmt)

    async def prune_sent_outbox(self, before: datetime, limit: int) -> int:
        """Delete up to ``limit`` outbox rows sent (or given up) before ``before``.

        Unsent rows are never deleted, whatever their age.
        """
        oldest = (
            select(OutboxRecord.id)
            .where(OutboxRecord.sent_at.is_not(None), OutboxRecord.sent_at < before)
            .order_by(OutboxRecord.sent_at)
            .limit(limit)
        )
        stmt = delete(OutboxRecord).where(OutboxRecord.id.in_(oldest))
        return await _rowcount(self._session, stmt)

    async def prune_finished_jobs(self, before: datetime, limit: int) -> int:
        """Delete up to ``limit`` done, failed or cancelled jobs finished before ``before``.

        Pending and running jobs are never deleted.
        """
        oldest = (
            select(ScheduledJobRecord.id)
            .where(
                ScheduledJobRecord.done_at < before,
                ScheduledJobRecord.status.in_(JOB_FINISHED_STATUSES),
            )
            .order_by(ScheduledJobRecord.done_at)
            .limit(limit)
        )
        stmt = delete(ScheduledJobRecord).where(ScheduledJobRecord.id.in_(oldest))
        return await _rowcount(self._session, stmt)

    async def prune_finished_reminders(self, before: datetime, limit: int) -> int:
        """Delete up to ``limit`` reminders sent or cancelled before ``before`` (their
        text is personal content). Pending reminders are never deleted."""
        oldest = (
            select(ReminderRecord.id)
            .where((ReminderRecord.sent_at < before) | (ReminderRecord.cancelled_at < before))
            .order_by(ReminderRecord.id)
            .limit(limit)
        )
        stmt = delete(ReminderRecord).where(ReminderRecord.id.in_(oldest))
        return await _rowcount(self._session, stmt)


class RetentionForecast:
    """How many rows each retention rule of :class:`RetentionRepository` will have
    deleted by a moment (the same conditions, counted). Never commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _count(self, entity: Any, *conditions: ColumnElement[bool]) -> int:
        total = await self._session.scalar(
            select(func.count()).select_from(entity).where(*conditions)
        )
        return int(total or 0)

    async def counts(
        self, processed_before: datetime, outbox_before: datetime, finished_before: datetime
    ) -> dict[str, int]:
        """Rows past each cut-off, per table."""
        return {
            "processed_events": await self._count(
                ProcessedEventRecord, ProcessedEventRecord.processed_at < processed_before
            ),
            "outbox": await self._count(
                OutboxRecord,
                OutboxRecord.sent_at.is_not(None),
                OutboxRecord.sent_at < outbox_before,
            ),
            "scheduled_jobs": await self._count(
                ScheduledJobRecord,
                ScheduledJobRecord.done_at < finished_before,
                ScheduledJobRecord.status.in_(JOB_FINISHED_STATUSES),
            ),
            "reminders": await self._count(
                ReminderRecord,
                (ReminderRecord.sent_at < finished_before)
                | (ReminderRecord.cancelled_at < finished_before),
            ),
        }
