"""The lease row: one holder at a time, taken over only when stale (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.lease_repositories import LeaseRepository

Race = Callable[[int, Callable[[AsyncSession], Awaitable[bool]]], Awaitable[list[bool]]]

T0 = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


async def _take(database: Database, holder: str, now: datetime) -> bool:
    async with database.session() as session, session.begin():
        return await LeaseRepository(session).take("bot", holder, now, now - LEASE)


async def test_one_holder_renews_others_wait_until_stale(database: Database) -> None:
    assert await _take(database, "a", T0)
    assert not await _take(database, "b", T0 + timedelta(seconds=1))
    assert await _take(database, "a", T0 + timedelta(seconds=10))  # renewed
    # 30 s after the last renewal is not yet stale; after that it is.
    assert not await _take(database, "b", T0 + timedelta(seconds=40))
    assert await _take(database, "b", T0 + timedelta(seconds=41))
    assert not await _take(database, "a", T0 + timedelta(seconds=42))  # the old holder lost it
    async with database.session() as session:
        assert await LeaseRepository(session).holder("bot") == (
            "b",
            T0 + timedelta(seconds=41),
        )


async def test_release_frees_it_at_once_but_only_for_its_holder(database: Database) -> None:
    assert await _take(database, "a", T0)
    async with database.session() as session, session.begin():
        assert not await LeaseRepository(session).release("bot", "b")
        assert await LeaseRepository(session).release("bot", "a")
    assert await _take(database, "b", T0 + timedelta(seconds=1))


async def test_concurrent_takers_of_a_free_or_stale_lease_get_one_winner(
    database: Database, race: Race
) -> None:
    counter = iter(range(100))
    for now in (T0, T0 + timedelta(minutes=5)):  # free, then stale

        async def take(session: AsyncSession, now: datetime = now) -> bool:
            holder = f"p{next(counter)}"
            return await LeaseRepository(session).take("bot", holder, now, now - LEASE)

        assert sum(await race(5, take)) == 1
