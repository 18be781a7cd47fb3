"""The retention job: a durable, self-re-arming job on the one scheduler.

What it deletes, and why that keeps exactly-once intact:

- ``processed_events`` older than ``operations.processed_events_days`` (default 180,
  at least 30). The record is what makes a replayed command a no-op. A replay only
  re-delivers events after the stored sync position (restart, outage, a limited sync
  whose gap is back-filled): at most as old as the longest downtime. Only a lost or
  restored sync position (a database restored from a backup) goes further back, and
  an initial sync returns at most the last ``timeline.limit`` events per room, which
  in a quiet room can be old. So the core also refuses to act on any event older than
  the retention age minus a day's margin (``BotCore(replay_horizon=...)``): what is
  pruned can never be executed again, whatever is replayed.
- ``outbox`` rows sent (or given up) more than ``sent_outbox_days`` ago. A sent row is
  only consulted while its transaction id could be queued again, i.e. while the command
  or job that queued it could replay — both guarded longer by the records above and by
  finished jobs never running again.
- ``scheduled_jobs`` finished (done, failed, cancelled) more than
  ``finished_jobs_days`` ago — a finished job never runs again; pending and running
  jobs are never touched — and finished ``reminders`` (their text is personal content)
  after the same age.

The audit trail is never pruned here (it has its own, legal, retention); every run
records what it deleted there (``retention.deleted``: table and count), the proof that
the privacy officer's ``!bewaartermijnen`` shows.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.logs import get_logger
from avz_bot.metrics import BotMetrics
from avz_bot.services.audit import Audit
from avz_bot.settings_sections.operations import OperationsSettings
from storage.operations_repositories import RetentionRepository
from storage.schedule_repositories import JOB_PENDING, JOB_RUNNING, JobRepository, JobRow

log = get_logger(__name__)

JOB_RETENTION = "ops.retention"
#: The audit action of one run's deletions from one table (details: ``count``).
RETENTION_AUDIT = "retention.deleted"
RETENTION_KEY = "ops:retention"


def replay_horizon(settings: OperationsSettings) -> timedelta:
    """How old an event may be for the bot to act on it: the retention age of the
    exactly-once record minus a day (margin for homeserver clock skew)."""
    return timedelta(days=settings.processed_events_days - 1)


class RetentionJobs:
    """The handler of :data:`JOB_RETENTION`."""

    def __init__(self, settings: OperationsSettings, metrics: BotMetrics) -> None:
        self._settings = settings
        self._metrics = metrics

    def handlers(self) -> dict[str, Any]:
        """Job kind → handler, for the scheduler."""
        return {JOB_RETENTION: self.run}

    async def run(self, session: AsyncSession, job: JobRow, now: datetime) -> None:
        """Delete one bounded batch per table; re-arm (soon if a table had more)."""
        del job
        s = self._settings
        repo = RetentionRepository(session)
        limit = s.retention_batch
        pruned = {
            "processed_events": await repo.prune_processed_events(
                now - timedelta(days=s.processed_events_days), limit
            ),
            "outbox": await repo.prune_sent_outbox(now - timedelta(days=s.sent_outbox_days), limit),
            "scheduled_jobs": await repo.prune_finished_jobs(
                now - timedelta(days=s.finished_jobs_days), limit
            ),
            "reminders": await repo.prune_finished_reminders(
                now - timedelta(days=s.finished_jobs_days), limit
            ),
        }
        audit = Audit(session, now)
        for table, count in pruned.items():
            if count:
                self._metrics.retention_pruned.labels(table).inc(count)
                # The proof of retention (``!bewaartermijnen``): what was deleted, when.
                await audit.record(
                    RETENTION_AUDIT, entity_type="table", entity_id=table, details={"count": count}
                )
        full = any(count >= limit for count in pruned.values())
        # A full batch means more is waiting: continue in a minute, in a new transaction.
        delay = timedelta(seconds=60) if full else timedelta(seconds=s.retention_interval_seconds)
        await JobRepository(session).schedule(
            JOB_RETENTION, now + delay, {}, now, dedupe_key=RETENTION_KEY
        )
        log.info("retention ran", extra={**{f"pruned_{k}": v for k, v in pruned.items()}})


#: The first run after a start waits this long: start-up (catching up on commands sent
#: while the bot was down) comes first, and housekeeping is never urgent.
FIRST_RUN_DELAY = timedelta(minutes=10)


async def arm_retention(session: AsyncSession, now: datetime, first_run: datetime) -> None:
    """Make sure the retention job exists, due at ``first_run`` if it has to be created
    (a pending job keeps its time; the job re-arms itself after each run)."""
    jobs = JobRepository(session)
    existing = await jobs.by_key(RETENTION_KEY)
    if existing is None or existing.status not in {JOB_PENDING, JOB_RUNNING}:
        await jobs.schedule(JOB_RETENTION, first_run, {}, now, dedupe_key=RETENTION_KEY)
