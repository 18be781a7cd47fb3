"""The durable scheduler (``avz_bot.scheduling``) on SQLite and PostgreSQL.

Time is a ``FakeClock`` and tests call ``run_due``/``sweep`` directly: APScheduler runs on
real time and cannot be driven by a fake clock. One test uses the real clock to show the
APScheduler timer path works at all.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.clock import FakeClock, SystemClock
from avz_bot.scheduled_jobs import job_key, lateness, retry_delay
from avz_bot.scheduling import Handler, Scheduler
from avz_bot.services.outbox import txn_id_for
from storage.db import Database
from storage.outbox_models import OutboxRecord
from storage.outbox_repositories import OutboxRepository
from storage.schedule_repositories import (
    JOB_DONE,
    JOB_FAILED,
    JOB_PENDING,
    JOB_RUNNING,
    JobRepository,
    JobRow,
)

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
ROOM = "!case:avz.test"
KIND = "test.remind"
SECRET = "BSN 123456782 van Jan Jansen"


class Boom(Exception):
    """What a failing handler raises."""


@dataclass
class Recorder:
    """A handler that queues an outbox message per job (like a reminder) and records calls.

    ``fail_times``: the first that many calls write their effects and then raise.
    """

    fail_times: int = 0
    follow_up: timedelta | None = None
    gate: asyncio.Event | None = None
    calls: list[tuple[int, datetime, timedelta]] = field(default_factory=list)
    started: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, session: AsyncSession, job: JobRow, now: datetime) -> None:
        self.calls.append((job.id, now, lateness(job, now)))
        self.started.set()
        # Give a concurrent scheduler the chance to interleave.
        await asyncio.sleep(0)
        if self.gate is not None:
            await self.gate.wait()
        await OutboxRepository(session).add(
            txn_id_for("job", job_key(job)), ROOM, {"msgtype": "m.notice", "body": "x"}, now
        )
        if self.follow_up is not None:
            await JobRepository(session).schedule(
                "test.follow_up", now + self.follow_up, {"after": job.id}, now
            )
        if len(self.calls) <= self.fail_times:
            raise Boom(SECRET)  # the message must never reach the logs

    @property
    def job_ids(self) -> list[int]:
        """Ids of the jobs the handler was called for, in order."""
        return [job_id for job_id, _, _ in self.calls]


def _scheduler(
    database: Database,
    clock: FakeClock | SystemClock,
    handler: Handler,
    *,
    worker_id: str = "worker-a",
    **options: Any,
) -> Scheduler:
    return Scheduler(database, clock, {KIND: handler}, worker_id=worker_id, **options)


async def _schedule(
    database: Database,
    due_at: datetime,
    *,
    kind: str = KIND,
    payload: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> int:
    async with database.session() as session, session.begin():
        return await JobRepository(session).schedule(
            kind, due_at, payload or {"text": SECRET}, NOW, dedupe_key=dedupe_key
        )


async def _job(database: Database, job_id: int) -> JobRow:
    async with database.session() as session:
        row = await JobRepository(session).get(job_id)
    assert row is not None
    return row


async def _count(database: Database, model: Any) -> int:
    async with database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


@asynccontextmanager
async def _second_handle(database: Database) -> AsyncIterator[Database]:
    """Another ``Database`` (own engine and pool) on the same database and schema."""
    url = database.engine.url.render_as_string(hide_password=False)
    schema = None
    if database.backend == "postgresql":
        async with database.engine.connect() as connection:
            schema = await connection.scalar(text("SELECT current_schema()"))
    other = Database(url, schema=schema)
    try:
        yield other
    finally:
        await other.dispose()


# --------------------------------------------------------------------------- basics
async def test_due_jobs_run_once_and_future_jobs_wait(database: Database) -> None:
    clock = FakeClock(NOW)
    handler = Recorder()
    scheduler = _scheduler(database, clock, handler)
    early = await _schedule(database, NOW - timedelta(minutes=5))
    on_time = await _schedule(database, NOW)
    later = await _schedule(database, NOW + timedelta(minutes=1))

    assert await scheduler.run_due() == 2
    assert handler.job_ids == [early, on_time]
    assert await scheduler.run_due() == 0  # done jobs do not run again
    assert (await _job(database, early)).status == JOB_DONE
    assert (await _job(database, later)).status == JOB_PENDING

    clock.advance(timedelta(minutes=1))
    assert await scheduler.run_due() == 1
    assert handler.job_ids == [early, on_time, later]
    assert await _count(database, OutboxRecord) == 3


async def test_effects_and_completion_commit_together(database: Database) -> None:
    clock = FakeClock(NOW)
    handler = Recorder(follow_up=timedelta(hours=1))
    job_id = await _schedule(database, NOW)

    assert await _scheduler(database, clock, handler).run_due() == 1

    job = await _job(database, job_id)
    assert (job.status, job.attempts, job.done_at) == (JOB_DONE, 1, NOW)
    async with database.session() as session:
        outbox = await OutboxRepository(session).pending()
        follow_ups = await JobRepository(session).due(NOW + timedelta(hours=1))
    assert [row.txn_id for row in outbox] == [txn_id_for("job", job_key(job))]
    assert [(row.kind, row.payload) for row in follow_ups] == [
        ("test.follow_up", {"after": job_id})
    ]


async def test_crash_after_the_effect_persists_nothing(database: Database) -> None:
    clock = FakeClock(NOW)
    handler = Recorder(fail_times=1, follow_up=timedelta(hours=1))
    job_id = await _schedule(database, NOW)

    assert await _scheduler(database, clock, handler).run_due() == 0

    assert handler.job_ids == [job_id]
    assert await _count(database, OutboxRecord) == 0
    async with database.session() as session:
        assert await JobRepository(session).count_pending() == 1  # no follow-up job
    job = await _job(database, job_id)
    assert (job.status, job.attempts, job.claimed_by) == (JOB_PENDING, 1, None)
    assert job.due_at == NOW + timedelta(seconds=30)


async def test_failed_job_is_retried_with_backoff(database: Database) -> None:
    clock = FakeClock(NOW)
    handler = Recorder(fail_times=2)
    scheduler = _scheduler(
        database, clock, handler, retry_base=timedelta(seconds=30), retry_cap=timedelta(minutes=1)
    )
    job_id = await _schedule(database, NOW)

    assert await scheduler.run_due() == 0  # attempt 1 fails: retry in 30 s
    assert (await _job(database, job_id)).due_at == NOW + timedelta(seconds=30)
    clock.advance(timedelta(seconds=29))
    assert await scheduler.run_due() == 0
    assert len(handler.calls) == 1  # not due yet

    clock.advance(timedelta(seconds=1))
    assert await scheduler.run_due() == 0  # attempt 2 fails: retry in 60 s
    assert (await _job(database, job_id)).due_at == clock.now() + timedelta(seconds=60)

    clock.advance(timedelta(seconds=60))
    assert await scheduler.run_due() == 1
    job = await _job(database, job_id)
    assert (job.status, job.attempts) == (JOB_DONE, 3)
    assert await _count(database, OutboxRecord) == 1  # only the successful attempt's


def test_retry_delay_doubles_up_to_the_cap() -> None:
    base, cap = timedelta(seconds=30), timedelta(hours=1)
    delays = [retry_delay(n, base, cap) for n in (1, 2, 3, 7, 8, 500)]
    assert delays == [
        timedelta(seconds=30),
        timedelta(seconds=60),
        timedelta(seconds=120),
        timedelta(seconds=1920),
        cap,
        cap,
    ]


async def test_gives_up_after_max_attempts_and_logs_no_payload(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="avz_bot.scheduling")
    clock = FakeClock(NOW)
    handler = Recorder(fail_times=99)
    scheduler = _scheduler(database, clock, handler, max_attempts=3)
    job_id = await _schedule(database, NOW)

    for _ in range(5):
        await scheduler.run_due()
        clock.advance(timedelta(hours=2))

    assert handler.job_ids == [job_id] * 3
    job = await _job(database, job_id)
    assert (job.status, job.attempts) == (JOB_FAILED, 3)
    assert await _count(database, OutboxRecord) == 0
    records = [r for r in caplog.records if r.name == "avz_bot.scheduling"]
    assert [r.getMessage() for r in records] == ["job failed; will retry"] * 2 + [
        "job failed permanently"
    ]
    assert all(getattr(r, "error_type", None) == "Boom" for r in records)
    for record in caplog.records:
        assert "Jansen" not in record.getMessage()
        assert not any("Jansen" in str(value) for value in record.__dict__.values())


async def test_unknown_kind_is_retried_then_failed(database: Database) -> None:
    clock = FakeClock(NOW)
    scheduler = _scheduler(database, clock, Recorder(), max_attempts=2)
    job_id = await _schedule(database, NOW, kind="from.a.newer.version")

    assert await scheduler.run_due() == 0
    assert (await _job(database, job_id)).status == JOB_PENDING
    clock.advance(timedelta(hours=1))
    assert await scheduler.run_due() == 0
    assert (await _job(database, job_id)).status == JOB_FAILED


async def test_handler_may_re_arm_its_own_job(database: Database) -> None:
    """The pattern of agreement reminders: one row per agreement, re-armed by its handler."""
    clock = FakeClock(NOW)
    seen: list[datetime] = []

    async def remind(session: AsyncSession, job: JobRow, now: datetime) -> None:
        seen.append(job.due_at)
        await OutboxRepository(session).add(txn_id_for("job", job_key(job)), ROOM, {}, now)
        if len(seen) < 2:
            await JobRepository(session).schedule(
                KIND, now + timedelta(days=1), job.payload, now, dedupe_key=job.dedupe_key
            )

    scheduler = _scheduler(database, clock, remind)
    job_id = await _schedule(database, NOW, dedupe_key="agreement:12")

    assert await scheduler.run_due() == 1
    job = await _job(database, job_id)
    assert (job.status, job.due_at) == (JOB_PENDING, NOW + timedelta(days=1))

    clock.advance(timedelta(days=1))
    assert await scheduler.run_due() == 1
    assert (await _job(database, job_id)).status == JOB_DONE
    assert seen == [NOW, NOW + timedelta(days=1)]
    assert await _count(database, OutboxRecord) == 2  # each arming its own message


async def test_cancelled_job_does_not_run(database: Database) -> None:
    clock = FakeClock(NOW)
    handler = Recorder()
    job_id = await _schedule(database, NOW)
    async with database.session() as session, session.begin():
        assert await JobRepository(session).cancel(job_id, NOW)

    assert await _scheduler(database, clock, handler).run_due() == 0
    assert handler.calls == []


async def test_on_done_after_each_batch_that_ran_jobs(database: Database) -> None:
    clock = FakeClock(NOW)
    handler = Recorder()
    done_calls: list[int] = []

    async def on_done() -> None:
        done_calls.append(len(handler.calls))

    scheduler = _scheduler(database, clock, handler, batch=3, on_done=on_done)
    assert await scheduler.run_due() == 0
    assert done_calls == []

    for _ in range(7):
        await _schedule(database, NOW)
    assert await scheduler.run_due() == 7
    assert done_calls == [3, 6, 7]


# --------------------------------------------------------------------------- concurrency
async def test_two_schedulers_racing_run_each_job_once(database: Database) -> None:
    clock = FakeClock(NOW)
    handler = Recorder()
    job_ids = {await _schedule(database, NOW - timedelta(seconds=n)) for n in range(50)}

    async with _second_handle(database) as db_a, _second_handle(database) as db_b:
        a = _scheduler(db_a, clock, handler, worker_id="worker-a", batch=20)
        b = _scheduler(db_b, clock, handler, worker_id="worker-b", batch=20)
        ran_a, ran_b = await asyncio.gather(a.run_due(), b.run_due())

    assert ran_a + ran_b == 50
    assert Counter(handler.job_ids) == Counter(dict.fromkeys(job_ids, 1))
    assert await _count(database, OutboxRecord) == 50
    for job_id in job_ids:
        assert (await _job(database, job_id)).status == JOB_DONE


async def test_job_of_a_crashed_worker_is_reclaimed_by_the_sweep(database: Database) -> None:
    clock = FakeClock(NOW)
    handler = Recorder()
    crashed = await _schedule(database, NOW - timedelta(minutes=30))
    busy = await _schedule(database, NOW - timedelta(minutes=30))
    async with database.session() as session, session.begin():
        jobs = JobRepository(session)
        assert await jobs.claim(crashed, NOW - timedelta(minutes=20), "crashed-worker")
        assert await jobs.claim(busy, NOW - timedelta(minutes=1), "busy-worker")
    scheduler = _scheduler(database, clock, handler, stale_after=timedelta(minutes=10))

    assert await scheduler.run_due() == 0  # running jobs are not due
    assert await scheduler.sweep() == 1
    assert await scheduler.sweep() == 0
    assert handler.job_ids == [crashed]
    job = await _job(database, crashed)
    assert (job.status, job.attempts, job.claimed_by) == (JOB_DONE, 2, "worker-a")
    assert (await _job(database, busy)).status == JOB_RUNNING  # recent claim: left alone


async def test_slow_worker_and_stale_reclaim_do_not_run_a_job_twice(database: Database) -> None:
    """A handler running past ``stale_after`` holds its row: the reclaim waits for it."""
    clock = FakeClock(NOW)
    handler = Recorder(gate=asyncio.Event())
    job_id = await _schedule(database, NOW)

    async with _second_handle(database) as db_b:
        slow = _scheduler(database, clock, handler, worker_id="slow")
        other = _scheduler(db_b, clock, handler, worker_id="other")
        slow_run = asyncio.create_task(slow.run_due())
        await asyncio.wait_for(handler.started.wait(), timeout=15)
        clock.advance(timedelta(minutes=30))
        other_sweep = asyncio.create_task(other.sweep())
        await asyncio.sleep(0.3)  # the sweep is now waiting for the slow worker's lock
        assert handler.gate is not None
        handler.gate.set()
        assert await slow_run == 1
        assert await other_sweep == 0

    assert handler.job_ids == [job_id]
    assert (await _job(database, job_id)).status == JOB_DONE


async def test_worker_that_lost_its_claim_does_not_run_the_job(database: Database) -> None:
    """Between claim and run, the job was reclaimed and claimed by another worker."""
    clock = FakeClock(NOW)
    handler = Recorder()
    job_id = await _schedule(database, NOW)
    async with database.session() as session, session.begin():
        jobs = JobRepository(session)
        assert await jobs.claim(job_id, NOW, "worker-a")
        assert await jobs.reclaim_stale(NOW + timedelta(seconds=1)) == 1
        assert await jobs.claim(job_id, NOW + timedelta(seconds=1), "worker-b")

    scheduler = _scheduler(database, clock, handler, worker_id="worker-a")
    # The second half of worker-a's run, with the claim it made (white box on purpose:
    # that interleaving cannot be produced reliably from outside).
    assert await scheduler._execute(job_id, NOW) is False
    assert handler.calls == []
    assert (await _job(database, job_id)).claimed_by == "worker-b"


# --------------------------------------------------------------------------- start-up, timer
async def test_jobs_due_while_stopped_run_on_start_with_their_lateness(
    database: Database,
) -> None:
    clock = FakeClock(NOW)
    handler = Recorder()
    long_ago = await _schedule(database, NOW - timedelta(hours=3))
    recently = await _schedule(database, NOW - timedelta(minutes=10))
    future = await _schedule(database, NOW + timedelta(hours=1))
    scheduler = _scheduler(database, clock, handler, sweep_interval=timedelta(hours=1))

    await scheduler.start()
    try:
        await asyncio.wait_for(scheduler.wait_ready(), timeout=30)
        assert scheduler.ready
    finally:
        await scheduler.stop()

    assert [(job_id, late) for job_id, _, late in handler.calls] == [
        (long_ago, timedelta(hours=3)),
        (recently, timedelta(minutes=10)),
    ]
    assert (await _job(database, future)).status == JOB_PENDING
    assert not scheduler.running


async def test_timer_wakes_the_scheduler_on_the_real_clock(database: Database) -> None:
    clock = SystemClock()
    ran = asyncio.Event()
    seen: list[timedelta] = []

    async def handler(session: AsyncSession, job: JobRow, now: datetime) -> None:
        seen.append(lateness(job, now))
        ran.set()

    done = asyncio.Event()

    async def on_done() -> None:
        done.set()

    # The sweep is far away: only the timer can run the job in time.
    scheduler = _scheduler(
        database, clock, handler, sweep_interval=timedelta(hours=1), on_done=on_done
    )
    await scheduler.start()
    try:
        await asyncio.wait_for(scheduler.wait_ready(), timeout=30)
        job_id = await _schedule(database, clock.now() + timedelta(seconds=0.5))
        scheduler.wake()
        await asyncio.wait_for(ran.wait(), timeout=15)
        await asyncio.wait_for(done.wait(), timeout=15)
    finally:
        await scheduler.stop()

    assert len(seen) == 1
    assert seen[0] < timedelta(seconds=15)
    assert (await _job(database, job_id)).status == JOB_DONE
