"""Which database errors are temporary, and how the scheduler rides them out.

A temporary error (database unreachable, restarting, SQLite locked) must make the bot
wait and retry, never count against a job's attempts nor crash; any other error keeps
its normal handling (a bug is not retried forever).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from avz_bot.clock import FakeClock
from avz_bot.scheduling import Scheduler
from storage.db import Database, is_database_unavailable, sqlite_url_for
from storage.schedule_repositories import JOB_DONE, JOB_PENDING, JobRepository, JobRow

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
KIND = "test.outage"


async def test_sqlite_locked_beyond_its_timeout_is_temporary(tmp_path: Path) -> None:
    url = sqlite_url_for(tmp_path / "locked.db")
    holder = create_async_engine(url)
    waiter = create_async_engine(url, connect_args={"timeout": 0.1})
    try:
        async with holder.connect() as hold:
            await hold.execute(text("CREATE TABLE t (x INTEGER)"))
            await hold.commit()
            await hold.execute(text("BEGIN EXCLUSIVE"))
            with pytest.raises(OperationalError) as caught:
                async with waiter.begin() as conn:
                    await conn.execute(text("INSERT INTO t VALUES (1)"))
            await hold.rollback()
        assert is_database_unavailable(caught.value)
    finally:
        await holder.dispose()
        await waiter.dispose()


async def test_unreachable_postgres_is_temporary() -> None:
    # A port nothing listens on (the discard port on loopback).
    database = Database("postgresql+asyncpg://postgres@127.0.0.1:9/none")
    try:
        with pytest.raises(Exception) as caught:
            async with database.session() as session:
                await session.execute(text("SELECT 1"))
        assert is_database_unavailable(caught.value)
    finally:
        await database.dispose()


async def test_bugs_and_constraint_violations_are_not_temporary(tmp_path: Path) -> None:
    database = Database(sqlite_url_for(tmp_path / "x.db"))
    try:
        async with database.engine.begin() as conn:
            await conn.execute(text("CREATE TABLE u (x INTEGER PRIMARY KEY)"))
            await conn.execute(text("INSERT INTO u VALUES (1)"))
        with pytest.raises(IntegrityError) as duplicate:
            async with database.engine.begin() as conn:
                await conn.execute(text("INSERT INTO u VALUES (1)"))
        with pytest.raises(OperationalError) as missing:
            async with database.engine.begin() as conn:
                await conn.execute(text("SELECT * FROM no_such_table"))
    finally:
        await database.dispose()
    assert not is_database_unavailable(duplicate.value)
    assert not is_database_unavailable(missing.value)  # a schema problem, not an outage
    assert not is_database_unavailable(ValueError("x"))
    assert is_database_unavailable(ConnectionRefusedError(111, "refused"))
    try:
        try:
            raise ConnectionResetError(104, "reset")
        except ConnectionResetError as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as outer:
        assert is_database_unavailable(outer)


class _Outage(Exception):
    """Stands in for a driver error; made temporary by its cause."""


async def test_job_failing_on_an_outage_is_never_given_up(database: Database) -> None:
    clock = FakeClock(NOW)
    calls: list[int] = []

    async def handler(session: AsyncSession, job: JobRow, now: datetime) -> None:
        calls.append(job.id)
        if len(calls) <= 5:
            raise _Outage("db gone") from ConnectionRefusedError(111, "refused")

    scheduler = Scheduler(database, clock, {KIND: handler}, worker_id="w", max_attempts=2)
    async with database.session() as session, session.begin():
        job_id = await JobRepository(session).schedule(KIND, NOW, {}, NOW)
    for _ in range(5):
        await scheduler.run_due()
        async with database.session() as session:
            job = await JobRepository(session).get(job_id)
        assert job is not None and job.status == JOB_PENDING
        assert job.attempts == 0  # the outage's attempts are taken back
        # Released to run again at once, not after a back-off for a faulty job.
        assert job.due_at <= clock.now()
        clock.advance(timedelta(seconds=1))
    await scheduler.run_due()
    async with database.session() as session:
        job = await JobRepository(session).get(job_id)
    assert job is not None and job.status == JOB_DONE
    assert calls == [job_id] * 6
