"""Durable scheduled jobs and ``!herinner`` reminders."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.schedule_repositories import JobRepository, JobRow, ReminderRepository, ReminderRow

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
SOON = NOW + timedelta(minutes=5)
LATER = NOW + timedelta(hours=1)
ROOM, OTHER_ROOM = "!case:avz.test", "!other:avz.test"
ANNA, BERT = "@anna:avz.test", "@bert:avz.test"

Race = Callable[[int, Callable[[AsyncSession], Awaitable[bool]]], Awaitable[list[bool]]]


async def _jobs(database: Database, action: Callable[[JobRepository], Awaitable[Any]]) -> Any:
    async with database.session() as session, session.begin():
        return await action(JobRepository(session))


async def _job(database: Database, job_id: int) -> JobRow:
    row = await _jobs(database, lambda repo: repo.get(job_id))
    assert isinstance(row, JobRow)
    return row


async def _schedule(
    database: Database,
    due_at: datetime = NOW,
    *,
    kind: str = "reminder",
    payload: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
    entity: tuple[str, str] | None = None,
) -> int:
    async def schedule(repo: JobRepository) -> int:
        return await repo.schedule(
            kind,
            due_at,
            payload or {"n": 1},
            NOW,
            dedupe_key=dedupe_key,
            entity_type=entity[0] if entity else None,
            entity_id=entity[1] if entity else None,
        )

    job_id = await _jobs(database, schedule)
    assert isinstance(job_id, int)
    return job_id


# --------------------------------------------------------------------------- jobs
async def test_schedule_and_run_a_job(database: Database) -> None:
    job_id = await _schedule(database, SOON, payload={"reminder_id": 7, "tekst": "één"})
    job = await _job(database, job_id)
    assert (job.kind, job.due_at, job.payload, job.status, job.attempts) == (
        "reminder",
        SOON,
        {"reminder_id": 7, "tekst": "één"},
        "pending",
        0,
    )
    assert (job.dedupe_key, job.claimed_at, job.done_at, job.created_at) == (None, None, None, NOW)
    assert await _jobs(database, lambda repo: repo.due(NOW)) == []
    assert [j.id for j in await _jobs(database, lambda repo: repo.due(SOON))] == [job_id]
    # Not due yet: cannot be claimed.
    assert not await _jobs(database, lambda repo: repo.claim(job_id, NOW, "w1"))
    assert await _jobs(database, lambda repo: repo.claim(job_id, SOON, "w1"))
    job = await _job(database, job_id)
    assert (job.status, job.claimed_at, job.claimed_by, job.attempts) == ("running", SOON, "w1", 1)
    assert await _jobs(database, lambda repo: repo.due(LATER)) == []
    assert not await _jobs(database, lambda repo: repo.claim(job_id, LATER, "w2"))
    assert await _jobs(database, lambda repo: repo.complete(job_id, LATER))
    assert not await _jobs(database, lambda repo: repo.complete(job_id, LATER))
    job = await _job(database, job_id)
    assert (job.status, job.done_at) == ("done", LATER)


async def test_concurrent_claims_of_a_job_have_exactly_one_winner(
    database: Database, race: Race
) -> None:
    job_id = await _schedule(database)

    async def claim(session: AsyncSession) -> bool:
        return await JobRepository(session).claim(job_id, NOW, "worker")

    assert sorted(await race(2, claim)) == [False, True]
    assert sorted(await race(10, claim)) == [False] * 10
    assert (await _job(database, job_id)).attempts == 1


async def test_concurrent_claims_without_a_barrier(database: Database) -> None:
    job_id = await _schedule(database)

    async def claim(worker: str) -> bool:
        result = await _jobs(database, lambda repo: repo.claim(job_id, NOW, worker))
        assert isinstance(result, bool)
        return result

    results = await asyncio.gather(*(claim(f"w{n}") for n in range(20)))
    assert sorted(results) == [False] * 19 + [True]


async def test_due_is_ordered_and_limited(database: Database) -> None:
    third = await _schedule(database, NOW)
    first = await _schedule(database, NOW - timedelta(hours=2))
    second = await _schedule(database, NOW - timedelta(hours=1))
    await _schedule(database, LATER)
    assert [j.id for j in await _jobs(database, lambda repo: repo.due(NOW))] == [
        first,
        second,
        third,
    ]
    assert [j.id for j in await _jobs(database, lambda repo: repo.due(NOW, limit=2))] == [
        first,
        second,
    ]
    assert await _jobs(database, lambda repo: repo.next_due_at()) == NOW - timedelta(hours=2)
    assert await _jobs(database, lambda repo: repo.count_pending()) == 4


async def test_next_due_and_count_ignore_jobs_that_are_not_pending(database: Database) -> None:
    assert await _jobs(database, lambda repo: repo.next_due_at()) is None
    assert await _jobs(database, lambda repo: repo.count_pending()) == 0
    running = await _schedule(database, NOW - timedelta(hours=1))
    await _jobs(database, lambda repo: repo.claim(running, NOW, "w"))
    cancelled = await _schedule(database, NOW - timedelta(minutes=30))
    await _jobs(database, lambda repo: repo.cancel(cancelled, NOW))
    await _schedule(database, LATER)
    assert await _jobs(database, lambda repo: repo.next_due_at()) == LATER
    assert await _jobs(database, lambda repo: repo.count_pending()) == 1


async def test_a_dedupe_key_rearms_the_same_job(database: Database) -> None:
    key = "agreement:12:next"
    job_id = await _schedule(database, SOON, dedupe_key=key, payload={"v": 1})
    again = await _schedule(
        database, LATER, dedupe_key=key, payload={"v": 2}, kind="agreement_reminder"
    )
    assert again == job_id
    job = await _job(database, job_id)
    assert (job.kind, job.due_at, job.payload, job.status) == (
        "agreement_reminder",
        LATER,
        {"v": 2},
        "pending",
    )
    assert await _jobs(database, lambda repo: repo.count_pending()) == 1
    found = await _jobs(database, lambda repo: repo.by_key(key))
    assert found == job

    # A finished job with the key is re-armed as new (attempts start over).
    await _jobs(database, lambda repo: repo.claim(job_id, LATER, "w"))
    await _jobs(database, lambda repo: repo.complete(job_id, LATER))
    assert await _schedule(database, LATER + timedelta(days=1), dedupe_key=key) == job_id
    job = await _job(database, job_id)
    assert (job.status, job.attempts, job.done_at, job.claimed_by) == ("pending", 0, None, None)


async def test_rearming_a_running_job_survives_its_completion(database: Database) -> None:
    # The running job schedules its own next occurrence under the same key; the
    # worker's complete() afterwards must not mark that new schedule done.
    key = "agreement:12:next"
    job_id = await _schedule(database, NOW, dedupe_key=key)
    assert await _jobs(database, lambda repo: repo.claim(job_id, NOW, "w"))
    assert await _schedule(database, LATER, dedupe_key=key) == job_id
    assert not await _jobs(database, lambda repo: repo.complete(job_id, SOON))
    job = await _job(database, job_id)
    assert (job.status, job.due_at) == ("pending", LATER)


async def test_concurrent_schedules_with_one_key_make_one_job(
    database: Database, race: Race
) -> None:
    ids: list[int] = []

    async def schedule(session: AsyncSession) -> bool:
        ids.append(await JobRepository(session).schedule("x", NOW, {}, NOW, dedupe_key="once"))
        return True

    await race(5, schedule)
    assert len(set(ids)) == 1
    assert await _jobs(database, lambda repo: repo.count_pending()) == 1


async def test_retry_release_and_failure(database: Database) -> None:
    job_id = await _schedule(database)
    assert not await _jobs(database, lambda repo: repo.release(job_id, LATER))
    assert not await _jobs(database, lambda repo: repo.fail(job_id, NOW))
    await _jobs(database, lambda repo: repo.claim(job_id, NOW, "w"))
    assert await _jobs(database, lambda repo: repo.release(job_id, LATER))
    job = await _job(database, job_id)
    assert (job.status, job.due_at, job.claimed_at, job.claimed_by, job.attempts) == (
        "pending",
        LATER,
        None,
        None,
        1,
    )
    assert await _jobs(database, lambda repo: repo.claim(job_id, LATER, "w"))
    assert await _jobs(database, lambda repo: repo.fail(job_id, LATER))
    job = await _job(database, job_id)
    assert (job.status, job.attempts, job.done_at) == ("failed", 2, LATER)


async def test_stale_running_jobs_are_reclaimed(database: Database) -> None:
    stale = await _schedule(database)
    fresh = await _schedule(database)
    await _jobs(database, lambda repo: repo.claim(stale, NOW, "crashed"))
    await _jobs(database, lambda repo: repo.claim(fresh, LATER, "alive"))
    assert await _jobs(database, lambda repo: repo.reclaim_stale(NOW + timedelta(minutes=10))) == 1
    job = await _job(database, stale)
    assert (job.status, job.claimed_by, job.due_at) == ("pending", None, NOW)
    assert (await _job(database, fresh)).status == "running"
    # The crashed worker's late completion no longer counts.
    assert not await _jobs(database, lambda repo: repo.complete(stale, LATER))


async def test_cancelling_jobs(database: Database) -> None:
    by_id = await _schedule(database)
    by_key = await _schedule(database, dedupe_key="agreement:3:next")
    a1 = await _schedule(database, entity=("agreement", "12"), dedupe_key="agreement:12:next")
    a2 = await _schedule(database, entity=("agreement", "12"), dedupe_key="agreement:12:overdue")
    a3 = await _schedule(database, entity=("agreement", "12"))
    other = await _schedule(database, entity=("agreement", "13"))
    await _jobs(database, lambda repo: repo.claim(a2, NOW, "w"))
    await _jobs(database, lambda repo: repo.claim(a3, NOW, "w"))
    await _jobs(database, lambda repo: repo.complete(a3, NOW))

    assert await _jobs(database, lambda repo: repo.cancel(by_id, LATER))
    assert not await _jobs(database, lambda repo: repo.cancel(by_id, LATER))
    assert await _jobs(database, lambda repo: repo.cancel_key("agreement:3:next", LATER))
    assert not await _jobs(database, lambda repo: repo.cancel_key("agreement:3:next", LATER))
    assert not await _jobs(database, lambda repo: repo.cancel_key("no-such-key", LATER))
    # Pending and running jobs of the entity are cancelled; finished ones stay as they are.
    assert await _jobs(database, lambda repo: repo.cancel_for_entity("agreement", "12", LATER)) == 2
    statuses = {
        job_id: (await _job(database, job_id)).status
        for job_id in (by_id, by_key, a1, a2, a3, other)
    }
    assert statuses == {
        by_id: "cancelled",
        by_key: "cancelled",
        a1: "cancelled",
        a2: "cancelled",
        a3: "done",
        other: "pending",
    }
    assert (await _job(database, a1)).done_at == LATER
    # A running job that was cancelled is neither completed nor retried.
    assert not await _jobs(database, lambda repo: repo.complete(a2, LATER))
    assert not await _jobs(database, lambda repo: repo.release(a2, LATER))
    for_entity = await _jobs(database, lambda repo: repo.for_entity("agreement", "12"))
    assert {j.id for j in for_entity} == {a1, a2, a3}


async def test_purging_finished_jobs(database: Database) -> None:
    done = await _schedule(database)
    cancelled = await _schedule(database)
    pending = await _schedule(database)
    await _jobs(database, lambda repo: repo.claim(done, NOW, "w"))
    await _jobs(database, lambda repo: repo.complete(done, NOW))
    await _jobs(database, lambda repo: repo.cancel(cancelled, LATER))
    assert await _jobs(database, lambda repo: repo.purge_finished(NOW)) == 0
    assert await _jobs(database, lambda repo: repo.purge_finished(SOON)) == 1
    assert await _jobs(database, lambda repo: repo.get(done)) is None
    assert await _jobs(database, lambda repo: repo.purge_finished(LATER + timedelta(days=1))) == 1
    assert (await _job(database, pending)).status == "pending"


# --------------------------------------------------------------------------- reminders
async def _reminders(
    database: Database, action: Callable[[ReminderRepository], Awaitable[Any]]
) -> Any:
    async with database.session() as session, session.begin():
        return await action(ReminderRepository(session))


async def _remind(
    database: Database, room_id: str = ROOM, due_at: datetime = LATER, text: str = "bel school"
) -> ReminderRow:
    row = await _reminders(
        database,
        lambda repo: repo.create(
            room_id=room_id,
            created_by=ANNA,
            target_user=None,
            text=text,
            due_at=due_at,
            now=NOW,
        ),
    )
    assert isinstance(row, ReminderRow)
    return row


async def test_reminders_are_numbered_per_room(database: Database) -> None:
    one = await _remind(database)
    two = await _remind(database, due_at=SOON)
    other = await _remind(database, OTHER_ROOM)
    assert [one.number, two.number, other.number] == [1, 2, 1]
    assert (one.room_id, one.created_by, one.target_user, one.text, one.due_at, one.pending) == (
        ROOM,
        ANNA,
        None,
        "bel school",
        LATER,
        True,
    )
    assert await _reminders(database, lambda repo: repo.by_number(ROOM, 2)) == two
    assert await _reminders(database, lambda repo: repo.by_number(OTHER_ROOM, 2)) is None
    pending = await _reminders(database, lambda repo: repo.pending_for_room(ROOM))
    assert [r.number for r in pending] == [2, 1]  # earliest first


async def test_reminder_numbers_are_not_reused_after_cancelling(database: Database) -> None:
    first = await _remind(database)
    assert await _reminders(database, lambda repo: repo.cancel(first.id, SOON))
    assert (await _remind(database)).number == 2


async def test_concurrent_reminders_get_distinct_numbers(database: Database, race: Race) -> None:
    async def add(session: AsyncSession) -> bool:
        await ReminderRepository(session).create(
            room_id=ROOM, created_by=BERT, target_user=ANNA, text="x", due_at=LATER, now=NOW
        )
        return True

    assert await race(10, add) == [True] * 10
    pending = await _reminders(database, lambda repo: repo.pending_for_room(ROOM))
    assert sorted(r.number for r in pending) == list(range(1, 11))


async def test_cancel_and_send_exclude_each_other(database: Database) -> None:
    sent = await _remind(database)
    cancelled = await _remind(database)
    assert await _reminders(database, lambda repo: repo.mark_sent(sent.id, LATER))
    assert not await _reminders(database, lambda repo: repo.mark_sent(sent.id, LATER))
    assert not await _reminders(database, lambda repo: repo.cancel(sent.id, LATER))
    assert await _reminders(database, lambda repo: repo.cancel(cancelled.id, SOON))
    assert not await _reminders(database, lambda repo: repo.mark_sent(cancelled.id, LATER))
    row = await _reminders(database, lambda repo: repo.get(cancelled.id))
    assert isinstance(row, ReminderRow)
    assert (row.cancelled_at, row.sent_at, row.pending) == (SOON, None, False)
    assert await _reminders(database, lambda repo: repo.pending_for_room(ROOM)) == []


async def test_sending_and_cancelling_race(database: Database, race: Race) -> None:
    reminder = await _remind(database)
    actions = iter(["send", "cancel"] * 3)

    async def act(session: AsyncSession) -> bool:
        repo = ReminderRepository(session)
        if next(actions) == "send":
            return await repo.mark_sent(reminder.id, LATER)
        return await repo.cancel(reminder.id, LATER)

    assert sorted(await race(6, act)) == [False] * 5 + [True]


async def test_due_reminders_and_purging(database: Database) -> None:
    early = await _remind(database, due_at=SOON)
    late = await _remind(database, OTHER_ROOM, due_at=LATER)
    cancelled = await _remind(database, due_at=SOON)
    await _reminders(database, lambda repo: repo.cancel(cancelled.id, NOW))
    assert [r.id for r in await _reminders(database, lambda repo: repo.due(SOON))] == [early.id]
    assert [r.id for r in await _reminders(database, lambda repo: repo.due(LATER))] == [
        early.id,
        late.id,
    ]
    assert [r.id for r in await _reminders(database, lambda repo: repo.due(LATER, limit=1))] == [
        early.id
    ]
    await _reminders(database, lambda repo: repo.mark_sent(early.id, SOON))
    assert await _reminders(database, lambda repo: repo.purge_finished(NOW)) == 0
    assert await _reminders(database, lambda repo: repo.purge_finished(LATER)) == 2
    assert await _reminders(database, lambda repo: repo.get(early.id)) is None
    assert await _reminders(database, lambda repo: repo.get(late.id)) == late
