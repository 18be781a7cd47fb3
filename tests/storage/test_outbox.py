"""The outbox: idempotent queueing, pending order, sent marks and attempts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from storage.db import Database
from storage.outbox_repositories import OutboxRepository

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
CONTENT = {"msgtype": "m.notice", "body": "Casus 12 aangemaakt — één melding"}


async def _add(database: Database, txn_id: str, at: datetime, content: dict[str, str]) -> int:
    async with database.session() as session, session.begin():
        return await OutboxRepository(session).add(txn_id, "!room:x", content, at)


async def test_add_is_idempotent_on_the_transaction_id(database: Database) -> None:
    first = await _add(database, "avz-reply-1", T0, CONTENT)
    again = await _add(database, "avz-reply-1", T0 + timedelta(minutes=1), {"body": "other"})
    other = await _add(database, "avz-reply-2", T0, CONTENT)
    assert again == first
    assert other != first
    async with database.session() as session:
        pending = await OutboxRepository(session).pending()
    assert [row.txn_id for row in pending] == ["avz-reply-1", "avz-reply-2"]
    # The first version wins; the repeated add changed nothing.
    assert pending[0].content == CONTENT
    assert pending[0].created_at == T0


async def test_concurrent_adds_of_one_transaction_id_make_one_row(database: Database) -> None:
    ids = await asyncio.gather(*(_add(database, "avz-race", T0, CONTENT) for _ in range(10)))
    assert len(set(ids)) == 1
    async with database.session() as session:
        assert len(await OutboxRepository(session).pending()) == 1


async def test_pending_is_unsent_oldest_first_with_a_limit(database: Database) -> None:
    await _add(database, "c", T0 + timedelta(seconds=2), CONTENT)
    await _add(database, "a", T0, CONTENT)
    await _add(database, "b", T0 + timedelta(seconds=1), CONTENT)
    await _add(database, "a2", T0, CONTENT)  # same time as "a": insertion order decides
    async with database.session() as session:
        repo = OutboxRepository(session)
        assert [row.txn_id for row in await repo.pending()] == ["a", "a2", "b", "c"]
        assert [row.txn_id for row in await repo.pending(limit=2)] == ["a", "a2"]


async def test_mark_sent_removes_from_pending_and_keeps_the_first_result(
    database: Database,
) -> None:
    await _add(database, "a", T0, CONTENT)
    await _add(database, "b", T0, CONTENT)
    async with database.session() as session, session.begin():
        repo = OutboxRepository(session)
        await repo.mark_sent("a", "$remote1", T0 + timedelta(seconds=5))
        await repo.mark_sent("a", "$remote2", T0 + timedelta(seconds=9))  # late duplicate
    async with database.session() as session:
        repo = OutboxRepository(session)
        assert [row.txn_id for row in await repo.pending()] == ["b"]
        sent = await repo.get("a")
        assert sent is not None
        assert sent.remote_event_id == "$remote1"
        assert sent.sent_at == T0 + timedelta(seconds=5)
        assert await repo.get("missing") is None


async def test_a_given_up_message_is_no_longer_pending(database: Database) -> None:
    await _add(database, "a", T0, CONTENT)
    async with database.session() as session, session.begin():
        await OutboxRepository(session).mark_sent("a", None, T0)
    async with database.session() as session:
        repo = OutboxRepository(session)
        assert await repo.pending() == []
        row = await repo.get("a")
        assert row is not None and row.sent_at == T0 and row.remote_event_id is None


async def test_record_attempt_counts_failures(database: Database) -> None:
    await _add(database, "a", T0, CONTENT)

    async def attempt() -> None:
        async with database.session() as session, session.begin():
            await OutboxRepository(session).record_attempt("a")

    await asyncio.gather(*(attempt() for _ in range(5)))
    async with database.session() as session:
        (row,) = await OutboxRepository(session).pending()
    assert row.attempts == 5
