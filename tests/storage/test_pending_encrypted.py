"""Encrypted events parked until their key arrives."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.runtime_repositories import PendingEncryptedRepository

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)

Race = Callable[[int, Callable[[AsyncSession], Awaitable[bool]]], Awaitable[list[bool]]]


def _source(event_id: str, session_id: str) -> dict[str, Any]:
    return {
        "type": "m.room.encrypted",
        "event_id": event_id,
        "sender": "@anna:avz.test",
        "origin_server_ts": 1736154000000,
        "content": {
            "algorithm": "m.megolm.v1.aes-sha2",
            "ciphertext": "AwgAEpAB…",
            "device_id": "ANNADEVICE",
            "sender_key": "curve25519key",
            "session_id": session_id,
        },
    }


async def _park(database: Database, event_id: str, session_id: str, seen: datetime) -> bool:
    async with database.session() as session, session.begin():
        return await PendingEncryptedRepository(session).add(
            event_id=event_id,
            room_id="!casus:avz.test",
            sender="@anna:avz.test",
            session_id=session_id,
            sender_key="curve25519key",
            source=_source(event_id, session_id),
            first_seen_at=seen,
        )


async def test_add_ignores_an_event_that_is_already_parked(database: Database) -> None:
    assert await _park(database, "$a", "s1", T0) is True
    assert await _park(database, "$a", "s2", T0 + timedelta(minutes=5)) is False
    async with database.session() as session:
        (row,) = await PendingEncryptedRepository(session).all_unexplained()
    assert (row.event_id, row.session_id, row.first_seen_at) == ("$a", "s1", T0)
    assert row.source == _source("$a", "s1")
    assert row.explained_at is None


async def test_plaintext_is_never_parked(database: Database) -> None:
    decrypted = {"type": "m.room.message", "content": {"msgtype": "m.text", "body": "geheim"}}
    async with database.session() as session:
        with pytest.raises(ValueError, match="ciphertext"):
            await PendingEncryptedRepository(session).add(
                event_id="$p",
                room_id="!r:x",
                sender="@s:x",
                session_id="s",
                sender_key="k",
                source=decrypted,
                first_seen_at=T0,
            )
        assert await PendingEncryptedRepository(session).all_unexplained() == []


async def test_for_session_finds_the_events_of_one_megolm_session(database: Database) -> None:
    await _park(database, "$b", "s1", T0 + timedelta(seconds=2))
    await _park(database, "$a", "s1", T0)
    await _park(database, "$c", "s2", T0 + timedelta(seconds=1))
    async with database.session() as session:
        repo = PendingEncryptedRepository(session)
        assert [row.event_id for row in await repo.for_session("s1")] == ["$a", "$b"]
        assert [row.event_id for row in await repo.for_session("s2")] == ["$c"]
        assert await repo.for_session("s3") == []


async def test_due_for_explanation_and_first_time_only_explained(database: Database) -> None:
    await _park(database, "$old", "s1", T0)
    await _park(database, "$edge", "s1", T0 + timedelta(seconds=30))
    await _park(database, "$new", "s1", T0 + timedelta(seconds=31))
    cutoff = T0 + timedelta(seconds=30)
    async with database.session() as session, session.begin():
        repo = PendingEncryptedRepository(session)
        due = await repo.due_for_explanation(cutoff)
        assert [row.event_id for row in due] == ["$old", "$edge"]
        assert await repo.mark_explained("$old", T0 + timedelta(minutes=1)) is True
        assert await repo.mark_explained("$old", T0 + timedelta(minutes=2)) is False
        assert await repo.mark_explained("$missing", T0) is False
    async with database.session() as session:
        repo = PendingEncryptedRepository(session)
        assert [row.event_id for row in await repo.due_for_explanation(cutoff)] == ["$edge"]
        assert [row.event_id for row in await repo.all_unexplained()] == ["$edge", "$new"]
        (old,) = [row for row in await repo.for_session("s1") if row.event_id == "$old"]
        assert old.explained_at == T0 + timedelta(minutes=1)


async def test_concurrent_explanations_have_one_winner(database: Database) -> None:
    await _park(database, "$a", "s1", T0)

    async def explain() -> bool:
        async with database.session() as session, session.begin():
            return await PendingEncryptedRepository(session).mark_explained("$a", T0)

    results = await asyncio.gather(*(explain() for _ in range(10)))
    assert sorted(results) == [False] * 9 + [True]


async def test_explanations_racing_inside_open_transactions_have_one_winner(
    database: Database, race: Race
) -> None:
    await _park(database, "$a", "s1", T0)

    async def explain(session: AsyncSession) -> bool:
        return await PendingEncryptedRepository(session).mark_explained("$a", T0)

    assert sorted(await race(10, explain)) == [False] * 9 + [True]


async def test_remove(database: Database) -> None:
    await _park(database, "$a", "s1", T0)
    await _park(database, "$b", "s1", T0)
    async with database.session() as session, session.begin():
        repo = PendingEncryptedRepository(session)
        await repo.remove("$a")
        await repo.remove("$missing")
    async with database.session() as session:
        rows = await PendingEncryptedRepository(session).for_session("s1")
    assert [row.event_id for row in rows] == ["$b"]
