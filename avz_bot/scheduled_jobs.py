"""One scheduled job as its handler and the runner see it (``avz_bot.scheduling`` runs
them): how late it runs (:func:`lateness`), the key for its idempotent ids
(:func:`job_key`), when a failed attempt is retried (:func:`retry_delay`), and the fence
that keeps a claimed job to the one worker that claimed it (:func:`fence`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from storage.schedule_models import ScheduledJobRecord
from storage.schedule_repositories import JOB_RUNNING, JobRow


def lateness(job: JobRow, now: datetime) -> timedelta:
    """How much later than its due time the job runs (zero when on time).

    After a failed attempt the job's ``due_at`` is its retry time, so this is measured
    from the current arming; a handler that must report lateness against an original
    moment keeps that moment in its own data (e.g. the reminder row's ``due_at``).
    """
    return max(timedelta(0), now - job.due_at)


def job_key(job: JobRow) -> str:
    """A key for deriving idempotent ids (outbox ``txn_id_for(kind, job_key(job))``).

    The id alone is not enough: a job with a ``dedupe_key`` is the same row every time it
    is re-armed, and each arming must produce a new message. The due time identifies the
    arming (re-arming a finished job at the very same instant yields the same key, which
    then deduplicates a message that would be identical anyway).
    """
    return f"{job.id}@{job.due_at.astimezone(UTC).isoformat()}"


def retry_delay(attempts: int, base: timedelta, cap: timedelta) -> timedelta:
    """Back-off before attempt ``attempts + 1``: ``base * 2**(attempts-1)``, at most ``cap``."""
    exponent = min(max(0, attempts - 1), 60)  # 2**60 already exceeds any sensible cap
    return timedelta(seconds=min(base.total_seconds() * 2.0**exponent, cap.total_seconds()))


async def fence(session: AsyncSession, job_id: int, worker: str, claimed_at: datetime) -> bool:
    """Whether the job is still running under this exact claim; holds it until commit.

    A no-op UPDATE rather than a SELECT: on PostgreSQL it locks the row, so a concurrent
    cancel, re-arm or stale reclaim waits for this transaction instead of slipping in
    between the check and ``complete``; on SQLite, being the transaction's first
    statement, it takes the write lock up front (no read-then-write upgrade failure).
    """
    stmt = (
        update(ScheduledJobRecord)
        .where(
            ScheduledJobRecord.id == job_id,
            ScheduledJobRecord.status == JOB_RUNNING,
            ScheduledJobRecord.claimed_by == worker,
            ScheduledJobRecord.claimed_at == claimed_at,
        )
        .values(claimed_at=ScheduledJobRecord.claimed_at)
    )
    result = await session.execute(stmt, execution_options={"synchronize_session": False})
    if not isinstance(result, CursorResult):  # pragma: no cover - DML always gives one
        raise TypeError("expected a cursor result from a DML statement")
    return result.rowcount == 1
