"""Housekeeping: the retention job deletes old bookkeeping, never the audit trail,
never anything still needed, and an event whose record may be gone is never acted on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from avz_bot.clock import FakeClock
from avz_bot.domain.inbound import IncomingCommand
from avz_bot.messages import Messages
from avz_bot.metrics import BotMetrics
from avz_bot.runtime.core import BotCore
from avz_bot.runtime.units import AppServices
from avz_bot.scheduling import Scheduler
from avz_bot.services.operations.retention import (
    JOB_RETENTION,
    RETENTION_KEY,
    RetentionJobs,
    arm_retention,
    replay_horizon,
)
from avz_bot.settings_sections.operations import OperationsSettings
from commands.framework import Dispatcher
from commands.registry import build_registry
from storage.audit_models import AuditLogRecord
from storage.audit_repositories import AuditRepository
from storage.db import Database
from storage.outbox_models import OutboxRecord
from storage.outbox_repositories import OutboxRepository
from storage.runtime_models import ProcessedEventRecord
from storage.runtime_repositories import ProcessedEventRepository, RoomRepository
from storage.schedule_models import ScheduledJobRecord
from storage.schedule_repositories import JOB_PENDING, JobRepository

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
SETTINGS = OperationsSettings(
    processed_events_days=60, sent_outbox_days=7, finished_jobs_days=14, retention_batch=100
)


async def _count(database: Database, model: type, *where: object) -> int:
    async with database.session() as session:
        stmt = select(func.count()).select_from(model).where(*where)  # type: ignore[arg-type]
        return int(await session.scalar(stmt) or 0)


async def _seed(database: Database) -> dict[str, int]:
    old, recent = NOW - timedelta(days=100), NOW - timedelta(days=1)
    ids: dict[str, int] = {}
    async with database.session() as session, session.begin():
        processed = ProcessedEventRepository(session)
        await processed.claim("$old", "!r:x", "@s:x", old)
        await processed.claim("$recent", "!r:x", "@s:x", recent)
        outbox = OutboxRepository(session)
        for txn, created, sent in (
            ("sent-old", old, old),
            ("sent-recent", recent, recent),
            ("unsent-old", old, None),
        ):
            await outbox.add(txn, "!r:x", {"body": "x"}, created)
            if sent is not None:
                await outbox.mark_sent(txn, "$e", sent)
        jobs = JobRepository(session)
        for name, status_change in (
            ("done-old", "complete"),
            ("cancelled-old", "cancel"),
            ("pending-old", None),
            ("done-recent", "complete-recent"),
        ):
            job_id = await jobs.schedule("x.kind", old, {}, old)
            ids[name] = job_id
            if status_change == "complete":
                assert await jobs.claim(job_id, old, "w")
                await jobs.complete(job_id, old)
            elif status_change == "complete-recent":
                assert await jobs.claim(job_id, old, "w")
                await jobs.complete(job_id, recent)
            elif status_change == "cancel":
                await jobs.cancel(job_id, old)
        await AuditRepository(session).append(
            occurred_at=old - timedelta(days=3000), actor="bot", actor_org=None, action="x.y"
        )
    return ids


async def test_retention_prunes_only_what_is_old_and_finished(database: Database) -> None:
    ids = await _seed(database)
    clock = FakeClock(NOW)
    scheduler = Scheduler(
        database, clock, RetentionJobs(SETTINGS, BotMetrics()).handlers(), worker_id="w"
    )
    async with database.session() as session, session.begin():
        await arm_retention(session, NOW, NOW)
    assert await scheduler.run_due() == 1

    async with database.session() as session:
        processed = ProcessedEventRepository(session)
        assert not await processed.is_processed("$old")
        assert await processed.is_processed("$recent")
        outbox = OutboxRepository(session)
        assert await outbox.get("sent-old") is None
        assert await outbox.get("sent-recent") is not None
        assert await outbox.get("unsent-old") is not None  # never sent: never deleted
        jobs = JobRepository(session)
        assert await jobs.get(ids["done-old"]) is None
        assert await jobs.get(ids["cancelled-old"]) is None
        pending = await jobs.get(ids["pending-old"])
        assert pending is not None and pending.status == JOB_PENDING
        assert await jobs.get(ids["done-recent"]) is not None
        again = await jobs.by_key(RETENTION_KEY)
    # The audit trail is never pruned; each table's deletions are recorded in it (the
    # retention proof: table and count).
    async with database.session() as session:
        proof = await AuditRepository(session).list(entity_type="table", limit=10)
    assert {(e.action, e.entity_id, e.details["count"]) for e in proof} == {
        ("retention.deleted", "processed_events", 1),
        ("retention.deleted", "outbox", 1),
        ("retention.deleted", "scheduled_jobs", 2),
    }
    assert await _count(database, AuditLogRecord) == 1 + len(proof)
    # Re-armed for the next interval (durable: a row, not a timer).
    assert again is not None and again.status == JOB_PENDING and again.kind == JOB_RETENTION
    assert again.due_at == NOW + timedelta(seconds=SETTINGS.retention_interval_seconds)


async def test_retention_deletes_in_bounded_batches_and_continues_soon(
    database: Database,
) -> None:
    old = NOW - timedelta(days=100)
    async with database.session() as session, session.begin():
        processed = ProcessedEventRepository(session)
        for n in range(150):
            await processed.claim(f"$e{n}", "!r:x", "@s:x", old + timedelta(seconds=n))
        await arm_retention(session, NOW, NOW)
    clock = FakeClock(NOW)
    scheduler = Scheduler(
        database, clock, RetentionJobs(SETTINGS, BotMetrics()).handlers(), worker_id="w"
    )
    await scheduler.run_due()
    assert await _count(database, ProcessedEventRecord) == 50
    async with database.session() as session:
        job = await JobRepository(session).by_key(RETENTION_KEY)
    assert job is not None and job.due_at == NOW + timedelta(seconds=60)
    # A restart meanwhile does not move the pending job (arming keeps its time).
    async with database.session() as session, session.begin():
        await arm_retention(session, NOW, NOW + timedelta(minutes=10))
    async with database.session() as session:
        kept = await JobRepository(session).by_key(RETENTION_KEY)
    assert kept is not None and kept.due_at == job.due_at
    clock.advance(timedelta(seconds=61))
    await scheduler.run_due()
    assert await _count(database, ProcessedEventRecord) == 0
    assert await _count(database, ScheduledJobRecord) == 1


def test_processed_events_retention_cannot_be_set_below_the_replay_window() -> None:
    with pytest.raises(ValueError, match="processed_events_days"):
        OperationsSettings(processed_events_days=7)


async def test_an_event_older_than_the_replay_horizon_is_never_acted_on(
    database: Database,
) -> None:
    clock = FakeClock(NOW)
    messages = Messages("nl")
    core = BotCore(
        database=database,
        dispatcher=Dispatcher(build_registry(), messages, "!"),
        messages=messages,
        services=AppServices(clock=clock, version="test", messages=messages),
        clock=clock,
        metrics=BotMetrics(),
        allowed_servers=["x"],
        undecryptable_grace=timedelta(seconds=60),
        replay_horizon=replay_horizon(SETTINGS),
    )
    async with database.session() as session, session.begin():
        await RoomRepository(session).record_join("!r:x", NOW - timedelta(days=400), True)

    def command(event_id: str, age: timedelta) -> IncomingCommand:
        return IncomingCommand(
            event_id=event_id,
            room_id="!r:x",
            sender="@s:x",
            body="!ping",
            sent_at=NOW - age,
            received_at=NOW,
        )

    # Older than the pruned records' age: treated as history (no record, no reply).
    await core.message(command("$ancient", timedelta(days=SETTINGS.processed_events_days)))
    await core.message(command("$fresh", timedelta(minutes=5)))
    async with database.session() as session:
        processed = ProcessedEventRepository(session)
        assert not await processed.is_processed("$ancient")
        assert await processed.is_processed("$fresh")
    assert await _count(database, OutboxRecord) == 1
