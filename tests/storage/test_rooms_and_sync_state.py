"""Rooms the bot is in, and the stored sync token."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.runtime_repositories import RoomRepository, RoomRow, SyncStateRepository

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
ROOM = "!casus:avz.test"

Race = Callable[[int, Callable[[AsyncSession], Awaitable[bool]]], Awaitable[list[bool]]]


async def _join(database: Database, at: datetime, encrypted: bool) -> None:
    async with database.session() as session, session.begin():
        await RoomRepository(session).record_join(ROOM, at, encrypted)


async def _room(database: Database) -> RoomRow | None:
    async with database.session() as session:
        return await RoomRepository(session).get(ROOM)


async def test_sync_state_get_and_set(database: Database) -> None:
    async with database.session() as session, session.begin():
        repo = SyncStateRepository(session)
        assert await repo.get("matrix.next_batch") is None
        await repo.set("matrix.next_batch", "s1_2_3", T0)
        await repo.set("other", "x", T0)
    async with database.session() as session, session.begin():
        repo = SyncStateRepository(session)
        assert await repo.get("matrix.next_batch") == "s1_2_3"
        await repo.set("matrix.next_batch", "s4_5_6", T0 + timedelta(seconds=30))
    async with database.session() as session:
        repo = SyncStateRepository(session)
        assert await repo.get("matrix.next_batch") == "s4_5_6"
        assert await repo.get("other") == "x"


async def test_record_join_keeps_the_earliest_join(database: Database) -> None:
    assert await _room(database) is None
    await _join(database, T0, encrypted=True)
    await _join(database, T0 + timedelta(hours=1), encrypted=True)  # seen again after restart
    room = await _room(database)
    assert room == RoomRow(ROOM, T0, True, None, None)
    await _join(database, T0 - timedelta(minutes=5), encrypted=True)  # an earlier join found
    room = await _room(database)
    assert room is not None and room.joined_at == T0 - timedelta(minutes=5)
    assert room.joined


async def test_encryption_only_switches_on(database: Database) -> None:
    await _join(database, T0, encrypted=False)
    room = await _room(database)
    assert room is not None and not room.encrypted
    await _join(database, T0, encrypted=True)
    room = await _room(database)
    assert room is not None and room.encrypted
    await _join(database, T0, encrypted=False)
    room = await _room(database)
    assert room is not None and room.encrypted


async def test_set_encrypted(database: Database) -> None:
    await _join(database, T0, encrypted=False)
    async with database.session() as session, session.begin():
        await RoomRepository(session).set_encrypted(ROOM, True)
    room = await _room(database)
    assert room is not None and room.encrypted


async def test_rejoining_after_leaving_starts_a_new_membership(database: Database) -> None:
    await _join(database, T0, encrypted=True)
    async with database.session() as session, session.begin():
        await RoomRepository(session).mark_left(ROOM, T0 + timedelta(hours=1))
    room = await _room(database)
    assert room is not None and room.left_at == T0 + timedelta(hours=1) and not room.joined
    rejoined_at = T0 + timedelta(hours=2)
    await _join(database, rejoined_at, encrypted=False)
    room = await _room(database)
    # Messages sent while the bot was away must not count as commands to it.
    assert room == RoomRow(ROOM, rejoined_at, True, None, None)


async def test_mark_left_keeps_the_first_departure(database: Database) -> None:
    await _join(database, T0, encrypted=True)
    async with database.session() as session, session.begin():
        repo = RoomRepository(session)
        await repo.mark_left(ROOM, T0 + timedelta(hours=1))
        await repo.mark_left(ROOM, T0 + timedelta(hours=3))
    room = await _room(database)
    assert room is not None and room.left_at == T0 + timedelta(hours=1)


async def test_unencrypted_notice_is_claimed_only_once(database: Database) -> None:
    await _join(database, T0, encrypted=False)
    async with database.session() as session, session.begin():
        repo = RoomRepository(session)
        assert await repo.mark_unencrypted_notice(ROOM, T0 + timedelta(minutes=1)) is True
        assert await repo.mark_unencrypted_notice(ROOM, T0 + timedelta(minutes=2)) is False
        assert await repo.mark_unencrypted_notice("!unknown:avz.test", T0) is False
    room = await _room(database)
    assert room is not None and room.unencrypted_notice_sent_at == T0 + timedelta(minutes=1)


async def test_concurrent_unencrypted_notices_have_one_winner(database: Database) -> None:
    await _join(database, T0, encrypted=False)

    async def notice() -> bool:
        async with database.session() as session, session.begin():
            return await RoomRepository(session).mark_unencrypted_notice(ROOM, T0)

    results = await asyncio.gather(*(notice() for _ in range(10)))
    assert sorted(results) == [False] * 9 + [True]


async def test_notices_racing_inside_open_transactions_have_one_winner(
    database: Database, race: Race
) -> None:
    await _join(database, T0, encrypted=False)

    async def notice(session: AsyncSession) -> bool:
        return await RoomRepository(session).mark_unencrypted_notice(ROOM, T0)

    assert sorted(await race(10, notice)) == [False] * 9 + [True]
