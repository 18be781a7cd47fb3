"""Repositories for time-driven work: durable scheduled jobs and ``!herinner`` reminders.

Same rules as every repository (``storage.sql``): the caller owns the transaction,
results are frozen dataclasses, and concurrency-sensitive operations are single
conditional statements returning whether they took effect.

Job life cycle (``scheduled_jobs.status``)::

    pending --claim--> running --complete--> done
       ^                  |  \\--fail------> failed
       |                  |
       +----release-------+        (retry later; also reclaim_stale after a crash)
    pending/running --cancel--> cancelled

A job with a ``dedupe_key`` exists at most once: ``schedule`` with a key that is
already used re-arms that same row (pending, new due time and payload), whatever its
status. This makes "schedule the next reminder for agreement 12" idempotent, also
from inside the running job itself: a re-armed job is no longer ``running``, so the
worker's later ``complete`` returns False and leaves the new schedule alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.schedule_models import ReminderRecord, ScheduledJobRecord
from storage.sql import _dialect_insert, _fetch_rows, _insert_numbered, _rowcount

JOB_PENDING = "pending"
JOB_RUNNING = "running"
JOB_DONE = "done"
JOB_FAILED = "failed"
JOB_CANCELLED = "cancelled"
#: Every ``scheduled_jobs.status`` value.
JOB_STATUSES = (JOB_PENDING, JOB_RUNNING, JOB_DONE, JOB_FAILED, JOB_CANCELLED)
#: Statuses of jobs that will not run again (unless re-armed through their dedupe key).
JOB_FINISHED_STATUSES = (JOB_DONE, JOB_FAILED, JOB_CANCELLED)


@dataclass(frozen=True, slots=True)
class JobRow:
    """One scheduled job."""

    id: int
    kind: str
    due_at: datetime
    payload: dict[str, Any]
    dedupe_key: str | None
    entity_type: str | None
    entity_id: str | None
    status: str
    claimed_at: datetime | None
    claimed_by: str | None
    attempts: int
    done_at: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ReminderRow:
    """One ``!herinner`` reminder; ``number`` is its number within the room."""

    id: int
    room_id: str
    number: int
    created_by: str
    target_user: str | None
    text: str
    due_at: datetime
    created_at: datetime
    cancelled_at: datetime | None
    sent_at: datetime | None

    @property
    def pending(self) -> bool:
        """Whether the reminder is neither sent nor cancelled."""
        return self.cancelled_at is None and self.sent_at is None


# --------------------------------------------------------------------------- jobs
class JobRepository:
    """The durable job table behind the scheduler (survives restarts)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def schedule(
        self,
        kind: str,
        due_at: datetime,
        payload: Mapping[str, Any],
        now: datetime,
        *,
        dedupe_key: str | None = None,
        entity_type: str | None = None,
        entity_id: str | None = None,
    ) -> int:
        """Schedule a job; returns its id.

        With a ``dedupe_key`` that is already in use, that job is re-armed instead (one
        ``INSERT ... ON CONFLICT DO UPDATE``): it becomes pending again with the new
        kind, due time, payload and entity, and its attempts start over.
        """
        values = {
            "kind": kind,
            "due_at": due_at,
            "payload": dict(payload),
            "dedupe_key": dedupe_key,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "status": JOB_PENDING,
            "claimed_at": None,
            "claimed_by": None,
            "attempts": 0,
            "done_at": None,
            "created_at": now,
        }
        insert = _dialect_insert(self._session, ScheduledJobRecord).values(**values)
        if dedupe_key is None:
            stmt = insert.returning(ScheduledJobRecord.id)
        else:
            excluded = insert.excluded
            stmt = insert.on_conflict_do_update(
                index_elements=["dedupe_key"],
                set_={
                    "kind": excluded.kind,
                    "due_at": excluded.due_at,
                    "payload": excluded.payload,
                    "entity_type": excluded.entity_type,
                    "entity_id": excluded.entity_id,
                    "status": JOB_PENDING,
                    "claimed_at": None,
                    "claimed_by": None,
                    "attempts": 0,
                    "done_at": None,
                },
            ).returning(ScheduledJobRecord.id)
        return int((await self._session.execute(stmt)).scalar_one())

    # ---- reading
    async def _select(
        self, *conditions: ColumnElement[bool], limit: int | None = None
    ) -> list[JobRow]:
        stmt = (
            select(ScheduledJobRecord)
            .where(*conditions)
            .order_by(ScheduledJobRecord.due_at, ScheduledJobRecord.id)
            .limit(limit)
        )
        return await _fetch_rows(self._session, JobRow, stmt)

    async def get(self, job_id: int) -> JobRow | None:
        """The job with this id."""
        found = await self._select(ScheduledJobRecord.id == job_id)
        return found[0] if found else None

    async def by_key(self, dedupe_key: str) -> JobRow | None:
        """The job with this dedupe key."""
        found = await self._select(ScheduledJobRecord.dedupe_key == dedupe_key)
        return found[0] if found else None

    async def for_entity(self, entity_type: str, entity_id: str) -> list[JobRow]:
        """Every job (any status) about one entity, by due time."""
        return await self._select(
            ScheduledJobRecord.entity_type == entity_type,
            ScheduledJobRecord.entity_id == entity_id,
        )

    async def due(self, now: datetime, limit: int = 100) -> list[JobRow]:
        """Pending jobs due at or before ``now``, earliest first (at most ``limit``)."""
        return await self._select(
            ScheduledJobRecord.status == JOB_PENDING,
            ScheduledJobRecord.due_at <= now,
            limit=limit,
        )

    async def next_due_at(self) -> datetime | None:
        """When the earliest pending job is due (None: nothing pending)."""
        stmt = select(ScheduledJobRecord.due_at).where(ScheduledJobRecord.status == JOB_PENDING)
        stmt = stmt.order_by(ScheduledJobRecord.due_at).limit(1)
        return await self._session.scalar(stmt)

    async def count_pending(self) -> int:
        """How many jobs are pending."""
        stmt = select(func.count()).where(ScheduledJobRecord.status == JOB_PENDING)
        return int(await self._session.scalar(stmt) or 0)

    async def count_waiting(self, kind: str, after: datetime) -> int:
        """How many pending jobs of ``kind`` are due after ``after`` (e.g. room
        creations waiting for a homeserver rate limit, queued behind each other)."""
        stmt = select(func.count()).where(
            ScheduledJobRecord.status == JOB_PENDING,
            ScheduledJobRecord.kind == kind,
            ScheduledJobRecord.due_at > after,
        )
        return int(await self._session.scalar(stmt) or 0)

    # ---- running
    async def _transition(
        self, job_id: int, from_status: str, *conditions: ColumnElement[bool], **values: Any
    ) -> bool:
        stmt = (
            update(ScheduledJobRecord)
            .where(
                ScheduledJobRecord.id == job_id,
                ScheduledJobRecord.status == from_status,
                *conditions,
            )
            .values(**values)
        )
        return await _rowcount(self._session, stmt) == 1

    async def claim(self, job_id: int, now: datetime, worker: str) -> bool:
        """Take a due pending job to run it; exactly one concurrent claimer gets True
        (one conditional UPDATE). Counts an attempt. False if the job is not pending,
        or not due (any more) at ``now``."""
        return await self._transition(
            job_id,
            JOB_PENDING,
            ScheduledJobRecord.due_at <= now,
            status=JOB_RUNNING,
            claimed_at=now,
            claimed_by=worker,
            attempts=ScheduledJobRecord.attempts + 1,
        )

    async def complete(self, job_id: int, now: datetime) -> bool:
        """Mark a running job done; False if it is not running (any more): it was
        cancelled or re-armed meanwhile, which then stands."""
        return await self._transition(job_id, JOB_RUNNING, status=JOB_DONE, done_at=now)

    async def fail(self, job_id: int, now: datetime) -> bool:
        """Give up on a running job (no more retries); False if it is not running."""
        return await self._transition(job_id, JOB_RUNNING, status=JOB_FAILED, done_at=now)

    async def release(self, job_id: int, retry_at: datetime, *, refund: bool = False) -> bool:
        """Put a running job back as pending, due at ``retry_at`` (a retry after a
        failed attempt); False if it is not running. ``refund`` takes back the attempt
        the claim counted (the attempt failed because the database was away, not
        because of the job)."""
        extra: dict[str, Any] = {"attempts": ScheduledJobRecord.attempts - 1} if refund else {}
        return await self._transition(
            job_id,
            JOB_RUNNING,
            status=JOB_PENDING,
            due_at=retry_at,
            claimed_at=None,
            claimed_by=None,
            **extra,
        )

    async def reclaim_stale(self, claimed_before: datetime) -> int:
        """Put jobs that have been running since before ``claimed_before`` back as
        pending (their worker crashed); returns how many. Their due time is kept, so
        they are due again at once."""
        stmt = (
            update(ScheduledJobRecord)
            .where(
                ScheduledJobRecord.status == JOB_RUNNING,
                ScheduledJobRecord.claimed_at < claimed_before,
            )
            .values(status=JOB_PENDING, claimed_at=None, claimed_by=None)
        )
        return await _rowcount(self._session, stmt)

    # ---- cancelling and cleaning up
    async def _cancel(self, now: datetime, *conditions: ColumnElement[bool]) -> int:
        stmt = (
            update(ScheduledJobRecord)
            .where(ScheduledJobRecord.status.in_([JOB_PENDING, JOB_RUNNING]), *conditions)
            .values(status=JOB_CANCELLED, done_at=now)
        )
        return await _rowcount(self._session, stmt)

    async def cancel(self, job_id: int, now: datetime) -> bool:
        """Cancel a pending or running job (a running one finishes its current attempt
        but is not marked done or retried); False if it had already finished."""
        return await self._cancel(now, ScheduledJobRecord.id == job_id) == 1

    async def cancel_key(self, dedupe_key: str, now: datetime) -> bool:
        """Cancel the job with this dedupe key; False if none is pending or running."""
        return await self._cancel(now, ScheduledJobRecord.dedupe_key == dedupe_key) == 1

    async def cancel_for_entity(self, entity_type: str, entity_id: str, now: datetime) -> int:
        """Cancel every pending or running job about one entity; returns how many."""
        return await self._cancel(
            now,
            ScheduledJobRecord.entity_type == entity_type,
            ScheduledJobRecord.entity_id == entity_id,
        )

    async def purge_finished(self, finished_before: datetime) -> int:
        """Delete done, failed and cancelled jobs that finished before
        ``finished_before``; returns how many."""
        stmt = delete(ScheduledJobRecord).where(
            ScheduledJobRecord.status.in_(JOB_FINISHED_STATUSES),
            ScheduledJobRecord.done_at < finished_before,
        )
        return await _rowcount(self._session, stmt)


# --------------------------------------------------------------------------- reminders
class ReminderRepository:
    """``!herinner`` reminders, numbered per room.

    Numbers are per room (1, 2, 3, ...) so ``!herinnering annuleer 2`` is short and
    reveals nothing about other rooms. A number is never reused while its row exists
    (sent and cancelled reminders keep theirs until ``purge_finished`` removes them).
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(
        self,
        *,
        room_id: str,
        created_by: str,
        target_user: str | None,
        text: str,
        due_at: datetime,
        now: datetime,
    ) -> ReminderRow:
        """Store a reminder with the room's next number."""
        new_id = await _insert_numbered(
            self._session,
            ReminderRecord,
            {
                "room_id": room_id,
                "created_by": created_by,
                "target_user": target_user,
                "text": text,
                "due_at": due_at,
                "created_at": now,
                "cancelled_at": None,
                "sent_at": None,
            },
            scope=ReminderRecord.room_id == room_id,
            number=ReminderRecord.number,
            constraint="uq_reminders_room_id_number",
        )
        row = await self.get(new_id)
        if row is None:  # pragma: no cover - just inserted
            raise LookupError(f"reminder {new_id} vanished")
        return row

    async def _select(
        self, *conditions: ColumnElement[bool], limit: int | None = None
    ) -> list[ReminderRow]:
        stmt = (
            select(ReminderRecord)
            .where(*conditions)
            .order_by(ReminderRecord.due_at, ReminderRecord.id)
            .limit(limit)
        )
        return await _fetch_rows(self._session, ReminderRow, stmt)

    async def get(self, reminder_id: int) -> ReminderRow | None:
        """The reminder with this id."""
        found = await self._select(ReminderRecord.id == reminder_id)
        return found[0] if found else None

    async def by_number(self, room_id: str, number: int) -> ReminderRow | None:
        """Reminder ``number`` of the room."""
        found = await self._select(
            ReminderRecord.room_id == room_id, ReminderRecord.number == number
        )
        return found[0] if found else None

    async def pending_for_room(self, room_id: str) -> list[ReminderRow]:
        """The room's reminders that are neither sent nor cancelled, earliest first."""
        return await self._select(
            ReminderRecord.room_id == room_id,
            ReminderRecord.cancelled_at.is_(None),
            ReminderRecord.sent_at.is_(None),
        )

    async def due(self, now: datetime, limit: int = 100) -> list[ReminderRow]:
        """Pending reminders due at or before ``now``, earliest first."""
        return await self._select(
            ReminderRecord.cancelled_at.is_(None),
            ReminderRecord.sent_at.is_(None),
            ReminderRecord.due_at <= now,
            limit=limit,
        )

    async def _finish(self, reminder_id: int, **values: datetime) -> bool:
        stmt = (
            update(ReminderRecord)
            .where(
                ReminderRecord.id == reminder_id,
                ReminderRecord.cancelled_at.is_(None),
                ReminderRecord.sent_at.is_(None),
            )
            .values(**values)
        )
        return await _rowcount(self._session, stmt) == 1

    async def cancel(self, reminder_id: int, now: datetime) -> bool:
        """Cancel a pending reminder; False if it was already sent or cancelled."""
        return await self._finish(reminder_id, cancelled_at=now)

    async def mark_sent(self, reminder_id: int, now: datetime) -> bool:
        """Record that the reminder was sent (queued). True only for the first call,
        and never for a cancelled reminder: send only when this returns True."""
        return await self._finish(reminder_id, sent_at=now)

    async def purge_finished(self, finished_before: datetime) -> int:
        """Delete reminders sent or cancelled before ``finished_before`` (their text is
        personal content); returns how many."""
        stmt = delete(ReminderRecord).where(
            (ReminderRecord.sent_at < finished_before)
            | (ReminderRecord.cancelled_at < finished_before)
        )
        return await _rowcount(self._session, stmt)
