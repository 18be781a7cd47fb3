"""Exactly-once claims of Matrix events."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.runtime_models import ProcessedEventRecord
from storage.runtime_repositories import CLAIMED_OUTCOME, ProcessedEventRepository

NOW = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)

Race = Callable[[int, Callable[[AsyncSession], Awaitable[bool]]], Awaitable[list[bool]]]


async def _claim(database: Database, event_id: str) -> bool:
    async with database.session() as session, session.begin():
        return await ProcessedEventRepository(session).claim(event_id, "!r:x", "@s:x", NOW)


async def test_an_event_can_be_claimed_once(database: Database) -> None:
    assert await _claim(database, "$a") is True
    assert await _claim(database, "$a") is False
    assert await _claim(database, "$b") is True
    async with database.session() as session:
        repo = ProcessedEventRepository(session)
        assert await repo.is_processed("$a")
        assert await repo.is_processed("$b")
        assert not await repo.is_processed("$c")


async def test_a_lost_claim_leaves_the_transaction_usable(database: Database) -> None:
    # PostgreSQL aborts a transaction on a failed INSERT; ON CONFLICT DO NOTHING must not.
    async with database.session() as session, session.begin():
        repo = ProcessedEventRepository(session)
        assert await repo.claim("$a", "!r:x", "@s:x", NOW)
        assert not await repo.claim("$a", "!r:x", "@s:x", NOW)
        assert await repo.claim("$b", "!r:x", "@s:x", NOW)
        await repo.set_outcome("$b", "help", "ok")
    async with database.session() as session:
        rows = await session.execute(
            sa.select(ProcessedEventRecord.event_id, ProcessedEventRecord.outcome).order_by(
                ProcessedEventRecord.event_id
            )
        )
        assert [tuple(row) for row in rows] == [("$a", CLAIMED_OUTCOME), ("$b", "ok")]


async def test_concurrent_claims_of_one_event_have_exactly_one_winner(database: Database) -> None:
    results = await asyncio.gather(*(_claim(database, "$contested") for _ in range(20)))
    assert sorted(results) == [False] * 19 + [True]
    async with database.session() as session:
        count = await session.scalar(sa.select(sa.func.count()).select_from(ProcessedEventRecord))
    assert count == 1


async def test_claims_racing_inside_open_transactions_have_one_winner(
    database: Database, race: Race
) -> None:
    async def claim(session: AsyncSession) -> bool:
        return await ProcessedEventRepository(session).claim("$raced", "!r:x", "@s:x", NOW)

    assert sorted(await race(10, claim)) == [False] * 9 + [True]
    assert await _claim(database, "$raced") is False


async def test_a_rolled_back_claim_does_not_count(database: Database) -> None:
    async with database.session() as session:
        assert await ProcessedEventRepository(session).claim("$a", "!r:x", "@s:x", NOW)
        await session.rollback()
    assert await _claim(database, "$a") is True


async def test_set_outcome_records_command_and_outcome(database: Database) -> None:
    async with database.session() as session, session.begin():
        repo = ProcessedEventRepository(session)
        await repo.claim("$a", "!room:x", "@sender:x", NOW)
        await repo.set_outcome("$a", "status", "ok")
    async with database.session() as session:
        row = await session.get(ProcessedEventRecord, "$a")
    assert row is not None
    assert (row.room_id, row.sender, row.command, row.outcome, row.processed_at) == (
        "!room:x",
        "@sender:x",
        "status",
        "ok",
        NOW,
    )


async def test_set_outcome_of_an_unclaimed_event_is_an_error(database: Database) -> None:
    async with database.session() as session:
        with pytest.raises(LookupError):
            await ProcessedEventRepository(session).set_outcome("$never", None, "error")
