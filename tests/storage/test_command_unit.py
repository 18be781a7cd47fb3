"""A command's transaction: Core statements on one connection, an ORM session only when asked
(``avz_bot.runtime.units.LazySession``). What a session holds is kept or dropped with the
connection's transaction, exactly like the Core statements beside it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from avz_bot.runtime.units import LazySession
from storage.db import Database
from storage.outbox_repositories import OutboxRepository
from storage.runtime_models import SyncStateRecord
from storage.runtime_repositories import ProcessedEventRepository, SyncStateRepository

NOW = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


class _Stop(Exception):
    pass


async def _unit(database: Database, *, fail: bool) -> None:
    async with database.connection() as connection:
        lazy = LazySession(connection)
        try:
            async with connection.begin():
                assert await ProcessedEventRepository(connection).claim("$e", "!r:x", "@a:x", NOW)
                # An ORM object added and never flushed by its writer: the owner's flush
                # before the commit writes it.
                lazy.get().add(SyncStateRecord(key="k", value="v", updated_at=NOW))
                assert lazy.get() is lazy.get()
                await OutboxRepository(connection).add("txn", "!r:x", {"body": "hoi"}, NOW)
                if fail:
                    raise _Stop
                await lazy.flush()
        finally:
            await lazy.close()


async def _kept(database: Database) -> tuple[bool, str | None, bool]:
    async with database.session() as session:
        return (
            await ProcessedEventRepository(session).is_processed("$e"),
            await SyncStateRepository(session).get("k"),
            await OutboxRepository(session).get("txn") is not None,
        )


async def test_the_sessions_writes_commit_with_the_connections_statements(
    database: Database,
) -> None:
    await _unit(database, fail=False)
    assert await _kept(database) == (True, "v", True)


async def test_a_failure_drops_the_sessions_writes_and_the_statements_alike(
    database: Database,
) -> None:
    with pytest.raises(_Stop):
        await _unit(database, fail=True)
    assert await _kept(database) == (False, None, False)


async def test_a_unit_that_asks_for_no_session_makes_none(database: Database) -> None:
    async with database.connection() as connection, connection.begin():
        lazy = LazySession(connection)
        assert await ProcessedEventRepository(connection).claim("$f", "!r:x", "@a:x", NOW)
        await lazy.flush()  # nothing to write, nothing made
        await lazy.close()
        assert lazy._session is None


async def test_a_savepoint_in_the_session_rolls_back_alone(database: Database) -> None:
    """Numbered inserts retry inside a SAVEPOINT on PostgreSQL (``storage.sql``): in the
    lazily joined session that savepoint undoes only its own statement."""
    async with database.connection() as connection:
        lazy = LazySession(connection)
        try:
            async with connection.begin():
                assert await ProcessedEventRepository(connection).claim("$g", "!r:x", "@a:x", NOW)
                await SyncStateRepository(lazy.get()).set("k", "v", NOW)
                session = lazy.get()
                with pytest.raises(IntegrityError):
                    async with session.begin_nested():
                        await session.execute(
                            insert(SyncStateRecord).values(key="k", value="w", updated_at=NOW)
                        )
                await lazy.flush()
        finally:
            await lazy.close()
    async with database.session() as reader:
        assert await ProcessedEventRepository(reader).is_processed("$g")
        assert await SyncStateRepository(reader).get("k") == "v"
