"""The durable scheduler: runs due ``scheduled_jobs`` rows, exactly once each.

The database is the source of truth. APScheduler (3.x) is only the alarm clock: it holds
ONE one-shot timer (re-armed at the earliest pending due time) and a periodic sweep, both
in its memory job store. Nothing about a job lives in APScheduler, so its defaults (skip
runs missed by more than a second, pickle jobs) cannot lose one: a missed or skipped
alarm only delays a job until the next sweep, and jobs that fell due while the bot was
down run at start-up.

Running one job:

1. **claim** it in a short transaction of its own (one conditional UPDATE: of racing
   schedulers, or a timer and a sweep, exactly one wins; it counts an attempt);
2. in a second transaction: **fence** the row (a conditional UPDATE that only matches
   while the job is still running under our claim, and on PostgreSQL locks the row until
   commit), run the handler, mark the job **complete**, commit. The handler's effects
   (an outbox message, a follow-up job) and the completion commit together or not at all;
3. if the handler (or that commit) fails: roll back, then in a new transaction release the
   job for a retry with exponential back-off, or mark it failed after ``max_attempts``.

A worker that dies between 1 and 2 leaves the job ``running``; the sweep puts such jobs
back after ``stale_after`` (``JobRepository.reclaim_stale``) and the fence keeps the dead
or merely slow worker from finishing a job someone else has since claimed.

Handlers get the session, the job (read under the fence, so its payload is current) and
"now". A handler that sends a message derives the outbox transaction id from
:func:`~avz_bot.scheduled_jobs.job_key`, and one that was woken late (bot down, backlog)
can see by how much with :func:`~avz_bot.scheduled_jobs.lateness`; the back-off and the
fence live there too (:mod:`avz_bot.scheduled_jobs`).
"""

from __future__ import annotations

import asyncio
import contextlib
import traceback
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.acting import ActingGuard
from avz_bot.clock import Clock
from avz_bot.logs import get_logger
from avz_bot.scheduled_jobs import fence, lateness, retry_delay
from storage.db import Database, is_database_unavailable
from storage.schedule_repositories import JobRepository, JobRow

log = get_logger(__name__)

#: ``handler(session, job, now)``: does the job's work inside the transaction that also
#: completes it. It must not commit or roll back; raising rolls everything back and the
#: job is retried later.
Handler = Callable[[AsyncSession, JobRow, datetime], Awaitable[None]]

#: Called (without arguments) after a batch in which jobs ran; the bot flushes its outbox.
OnDone = Callable[[], Awaitable[None]]

#: APScheduler ids of the two alarm-clock jobs (fixed, so re-arming replaces them).
TIMER_JOB_ID = "avz-scheduler-timer"
SWEEP_JOB_ID = "avz-scheduler-sweep"

DEFAULT_SWEEP_INTERVAL = timedelta(seconds=60)
DEFAULT_STALE_AFTER = timedelta(minutes=10)
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_RETRY_BASE = timedelta(seconds=30)
DEFAULT_RETRY_CAP = timedelta(hours=1)

# After a timer run that ran nothing while a job still looks due (only possible through
# races or clock trouble), wait at least this long before the next alarm instead of
# spinning on an alarm that keeps firing in the past.
_IDLE_REARM_DELAY = 1.0

#: While the database is unavailable the timer retries after this many seconds,
#: doubling up to the cap (the sweep also keeps trying every ``sweep_interval``).
_UNAVAILABLE_RETRY_FIRST = 1.0
_UNAVAILABLE_RETRY_CAP = 30.0


def _where(exc: BaseException) -> str:
    """File and line of the innermost frame: enough to find a bug, no data from it."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "?"
    last = frames[-1]
    return f"{last.filename.rsplit('/', 1)[-1]}:{last.lineno}"


class _NoHandlerError(Exception):
    """A job of a kind no handler is registered for (treated like a failing handler)."""


class Scheduler:
    """Runs due jobs from the database; APScheduler only wakes it up.

    ``handlers`` maps a job ``kind`` to its :data:`Handler`. ``worker_id`` names this
    process in ``claimed_by`` (unique per running bot, e.g. ``host:pid``). ``batch`` is how
    many due jobs are read per query; ``stale_after`` is how long a claim may stay
    ``running`` before the sweep assumes its worker died. ``on_done`` runs after every
    batch in which jobs ran.
    """

    def __init__(
        self,
        database: Database,
        clock: Clock,
        handlers: Mapping[str, Handler],
        *,
        worker_id: str,
        sweep_interval: timedelta = DEFAULT_SWEEP_INTERVAL,
        batch: int = 200,
        stale_after: timedelta = DEFAULT_STALE_AFTER,
        on_done: OnDone | None = None,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        retry_base: timedelta = DEFAULT_RETRY_BASE,
        retry_cap: timedelta = DEFAULT_RETRY_CAP,
        acting: ActingGuard | None = None,
    ) -> None:
        if batch < 1:
            raise ValueError("batch must be >= 1")
        if max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        if sweep_interval <= timedelta(0) or stale_after <= timedelta(0):
            raise ValueError("sweep_interval and stale_after must be positive")
        self._db = database
        self._clock = clock
        self._acting = acting or ActingGuard()
        self._handlers = dict(handlers)
        self._worker = worker_id
        self._sweep_interval = sweep_interval
        self._batch = batch
        self._stale_after = stale_after
        self._on_done = on_done
        self._max_attempts = max_attempts
        self._retry_base = retry_base
        self._retry_cap = retry_cap
        # One batch at a time per scheduler: the timer, the sweep and direct calls queue
        # here, so a process never races itself (other processes are handled by claim).
        self._run_lock = asyncio.Lock()
        # Re-arms run one after another so the last one, with the freshest next due
        # time, is the one that stands.
        self._arm_lock = asyncio.Lock()
        self._arm_tasks: set[asyncio.Task[datetime | None]] = set()
        self._aps: Any = None
        self._stopping = False
        self._ready = asyncio.Event()
        # Claims whose release failed because the database was away: released (due at
        # once, no attempt lost to the outage) as soon as it answers again.
        self._unreleased: dict[int, datetime] = {}
        self._unavailable_delay = _UNAVAILABLE_RETRY_FIRST
        #: Why the scheduler is waiting (database unavailable), or ``None`` (readiness).
        self.waiting_for: str | None = None

    # ------------------------------------------------------------------ life cycle
    @property
    def running(self) -> bool:
        """Whether ``start`` was called and ``stop`` was not (yet)."""
        return self._aps is not None and not self._stopping

    @property
    def ready(self) -> bool:
        """Whether the first sweep after ``start`` has completed (for readiness probes)."""
        return self._ready.is_set()

    async def start(self) -> None:
        """Start the alarm clock; the first sweep runs at once, in the background.

        That sweep puts back jobs of crashed workers and runs everything that fell due
        while the bot was down; await :meth:`wait_ready` to know it has finished.
        """
        if self._aps is not None:
            raise RuntimeError("scheduler already started")
        self._stopping = False
        self._ready.clear()
        aps = AsyncIOScheduler(
            timezone=UTC,
            # Durability is the database's job; these only make sure APScheduler itself
            # never skips or merges a wake-up it could still deliver.
            job_defaults={"misfire_grace_time": None, "coalesce": True},
        )
        aps.start()
        self._aps = aps
        aps.add_job(
            self._on_sweep,
            trigger=IntervalTrigger(seconds=self._sweep_interval.total_seconds(), timezone=UTC),
            id=SWEEP_JOB_ID,
            # The first sweep now, then every interval.
            next_run_time=datetime.now(UTC),
            max_instances=1,
            replace_existing=True,
        )

    async def wait_ready(self) -> None:
        """Wait until the first sweep after ``start`` has completed."""
        await self._ready.wait()

    async def stop(self, timeout: float = 30.0) -> None:
        """Stop waking up; let the job that is running finish (at most ``timeout`` s).

        A job still running after ``timeout`` is cancelled: its transaction rolls back and
        the job stays claimed until a later sweep reclaims it (after ``stale_after``).
        """
        aps = self._aps
        if aps is None:
            return
        self._stopping = True
        aps.pause()
        for task in list(self._arm_tasks):
            task.cancel()
        try:
            async with asyncio.timeout(timeout), self._run_lock:
                pass  # the current batch stops after its current job (see _run_due)
        except TimeoutError:
            log.warning("scheduler stopped while a job was still running")
        # Cancels APScheduler's pending callbacks (they only wait on the run lock now, or
        # are the overdue job above); shutdown itself is queued on the loop, hence sleep.
        aps.shutdown(wait=False)
        await asyncio.sleep(0)
        self._aps = None

    # ------------------------------------------------------------------ waking
    def wake(self) -> None:
        """Re-arm the timer at the earliest pending due time; call after scheduling jobs.

        Fire-and-forget (the database is read in a background task); a no-op unless
        started. Forgetting to call it only delays new jobs until the next sweep.
        """
        if not self.running:
            return
        task = asyncio.get_running_loop().create_task(self.arm())
        self._arm_tasks.add(task)
        task.add_done_callback(self._arm_tasks.discard)

    async def arm(self, min_delay: float = 0.0) -> datetime | None:
        """Re-arm the timer now (awaitable :meth:`wake`); returns the due time it targets."""
        async with self._arm_lock:
            if not self.running:
                return None
            try:
                async with self._db.session() as session:
                    next_due = await JobRepository(session).next_due_at()
            except Exception as exc:
                # The sweep re-arms as well; a failed re-arm only costs timeliness.
                log.warning(
                    "scheduler could not re-arm its timer",
                    extra={"error_type": type(exc).__name__, "where": _where(exc)},
                )
                if is_database_unavailable(exc):
                    self._retry_when_unavailable(exc)
                return None
            aps = self._aps
            if aps is None:  # stopped while reading
                return None
            if next_due is None:
                with contextlib.suppress(Exception):  # JobLookupError: no timer armed
                    aps.remove_job(TIMER_JOB_ID)
                return None
            # The delay comes from the injected clock, the alarm time from the real one:
            # APScheduler always runs on real time, and this keeps a fake clock in tests
            # from turning into an alarm that fires in the past forever.
            delay = max(0.0, min_delay, (next_due - self._clock.now()).total_seconds())
            aps.add_job(
                self._on_timer,
                trigger=DateTrigger(
                    run_date=datetime.now(UTC) + timedelta(seconds=delay), timezone=UTC
                ),
                id=TIMER_JOB_ID,
                replace_existing=True,
                # A wake() while the timer callback runs replaces the timer; the new one
                # may fire while the old callback still holds the run lock and must then
                # wait for it rather than be dropped with a warning.
                max_instances=3,
            )
            return next_due

    def _retry_when_unavailable(self, exc: BaseException) -> None:
        """Database away: try the timer again after a bounded, growing delay."""
        self.waiting_for = f"database unavailable ({type(exc).__name__})"
        aps = self._aps
        if aps is None or self._stopping:
            return
        delay = self._unavailable_delay
        self._unavailable_delay = min(delay * 2, _UNAVAILABLE_RETRY_CAP)
        aps.add_job(
            self._on_timer,
            trigger=DateTrigger(
                run_date=datetime.now(UTC) + timedelta(seconds=delay), timezone=UTC
            ),
            id=TIMER_JOB_ID,
            replace_existing=True,
            max_instances=3,
        )

    def _available(self) -> None:
        if self.waiting_for is not None:
            log.info("scheduler: database available again")
        self.waiting_for = None
        self._unavailable_delay = _UNAVAILABLE_RETRY_FIRST

    async def _on_timer(self) -> None:
        if self._stopping:
            return
        ran = 0
        try:
            ran = await self.run_due()
        except Exception as exc:
            if is_database_unavailable(exc):
                log.warning(
                    "scheduler waits for the database", extra={"error_type": type(exc).__name__}
                )
                self._retry_when_unavailable(exc)
                return
            log.error(
                "scheduled jobs could not be run",
                extra={"error_type": type(exc).__name__, "where": _where(exc)},
            )
        if not self._stopping:
            await self.arm(min_delay=0.0 if ran else _IDLE_REARM_DELAY)

    async def _on_sweep(self) -> None:
        if self._stopping:
            return
        try:
            await self.sweep()
        except Exception as exc:
            if is_database_unavailable(exc):
                log.warning(
                    "scheduler waits for the database", extra={"error_type": type(exc).__name__}
                )
                self._retry_when_unavailable(exc)
                return
            # Not ready yet if this was the first sweep; the next one tries again.
            log.error(
                "scheduler sweep failed",
                extra={"error_type": type(exc).__name__, "where": _where(exc)},
            )

    # ------------------------------------------------------------------ running
    async def sweep(self) -> int:
        """Put back jobs of crashed workers, run everything due, re-arm the timer.

        Returns how many jobs ran. Runs every ``sweep_interval`` once started; also
        callable directly (tests, a manual nudge).
        """
        async with self._run_lock:
            now = self._clock.now()
            async with self._db.session() as session, session.begin():
                reclaimed = await JobRepository(session).reclaim_stale(now - self._stale_after)
            if reclaimed:
                log.warning("stale jobs reclaimed", extra={"count": reclaimed})
            ran = await self._run_due()
        self._ready.set()
        if self.running:
            await self.arm()
        return ran

    async def run_due(self) -> int:
        """Claim and run every job that is due now; returns how many ran successfully.

        Jobs are read ``batch`` at a time and claimed one by one, so a concurrent
        scheduler simply loses the claims of the jobs this one runs (and vice versa).
        ``on_done`` is awaited after each batch in which jobs ran.
        """
        async with self._run_lock:
            return await self._run_due()

    async def _release_held_claims(self) -> None:
        """Put back the jobs whose failure could not be recorded during an outage."""
        for job_id, claimed_at in list(self._unreleased.items()):
            async with self._db.session() as session, session.begin():
                if await fence(session, job_id, self._worker, claimed_at):
                    await JobRepository(session).release(job_id, self._clock.now(), refund=True)
            del self._unreleased[job_id]

    async def _run_due(self) -> int:
        total = 0
        await self._release_held_claims()
        self._available()
        while not self._stopping:
            async with self._db.session() as session:
                due = await JobRepository(session).due(self._clock.now(), limit=self._batch)
            ran = 0
            for job in due:
                if self._stopping:
                    break
                if await self._run_one(job):
                    ran += 1
            total += ran
            if ran:
                await self._notify_done()
            if len(due) < self._batch:
                break  # that was all that was due; no need for another query
        if total:
            log.info("scheduled jobs ran", extra={"count": total, "worker": self._worker})
        return total

    async def _notify_done(self) -> None:
        if self._on_done is None:
            return
        try:
            await self._on_done()
        except Exception as exc:
            log.error(
                "after-jobs callback failed",
                extra={"error_type": type(exc).__name__, "where": _where(exc)},
            )

    async def _run_one(self, candidate: JobRow) -> bool:
        """Claim, run and complete one job; True if its handler ran and committed.

        Not claimed while this process may not act (``avz_bot.acting``)."""
        if not self._acting.acting():
            return False
        now = self._clock.now()
        async with self._db.session() as session, session.begin():
            if not await JobRepository(session).claim(candidate.id, now, self._worker):
                return False  # another worker (or a cancel) got there first
        try:
            ran = await self._execute(candidate.id, now)
        except Exception as exc:
            await self._record_failure(candidate, now, exc)
            return False
        return ran

    async def _execute(self, job_id: int, claimed_at: datetime) -> bool:
        """The handler and the completion in one transaction (raises on handler failure)."""
        async with self._db.session() as session, session.begin():
            if not await fence(session, job_id, self._worker, claimed_at):
                # Cancelled, re-armed or reclaimed since the claim: that change stands.
                log.info("claimed job no longer ours", extra={"job_id": job_id})
                return False
            jobs = JobRepository(session)
            job = await jobs.get(job_id)
            if job is None:  # pragma: no cover - the fence just matched it
                return False
            handler = self._handlers.get(job.kind)
            if handler is None:
                raise _NoHandlerError(job.kind)
            now = self._clock.now()
            await handler(session, job, now)
            # False when the handler re-armed its own job (a dedupe-key follow-up): the
            # new schedule stands and the effects still commit.
            await jobs.complete(job_id, self._clock.now())
        log.debug(
            "job done",
            extra={
                "job_id": job.id,
                "kind": job.kind,
                "late_seconds": round(lateness(job, now).total_seconds(), 3),
            },
        )
        return True

    async def _record_failure(self, job: JobRow, claimed_at: datetime, exc: Exception) -> None:
        """After a failed attempt (already rolled back): retry later, or give up."""
        attempts = job.attempts + 1  # the claim counted this attempt
        now = self._clock.now()
        outage = is_database_unavailable(exc)
        # A database outage is not the job's fault: never give up on it, retry at once
        # when the database answers again.
        give_up = attempts >= self._max_attempts and not outage
        retry_at = now if outage else now + retry_delay(attempts, self._retry_base, self._retry_cap)
        try:
            async with self._db.session() as session, session.begin():
                if not await fence(session, job.id, self._worker, claimed_at):
                    return  # no longer ours: whoever changed it decides what happens next
                jobs = JobRepository(session)
                if give_up:
                    await jobs.fail(job.id, now)
                else:
                    await jobs.release(job.id, retry_at, refund=outage)
        except Exception as inner:
            if is_database_unavailable(inner):
                # Released as soon as the database answers (see _release_held_claims).
                self._unreleased[job.id] = claimed_at
                self._retry_when_unavailable(inner)
                return
            # The claim stays; the sweep reclaims the job after stale_after.
            log.error(
                "failed job could not be released",
                extra={"job_id": job.id, "error_type": type(inner).__name__},
            )
        # Only ids, the kind and the error type: payloads and exception messages may
        # contain personal data.
        extra: dict[str, Any] = {
            "job_id": job.id,
            "kind": job.kind,
            "attempt": attempts,
            "error_type": type(exc).__name__,
            "where": _where(exc),
        }
        if give_up:
            log.error("job failed permanently", extra=extra)
        else:
            log.warning("job failed; will retry", extra={**extra, "retry_at": retry_at.isoformat()})
