"""The access log: append-only, hash-chained, one chain under concurrent writers, and a
tampered, removed or inserted entry is found by the verification (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.services.access_log import AccessLog, Shown, verify
from storage.access_repositories import AccessLogRepository
from storage.db import Database

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CASE = Shown("case", "AVZ-2026-0001")


async def _record(database: Database, n: int, reader: str = "@anna:avz.test") -> None:
    for i in range(n):
        async with database.session() as session, session.begin():
            await AccessLog(session, T0 + timedelta(minutes=i)).record(
                reader=reader,
                organisation="politie",
                role="regiehouder",
                command="casus",
                shown=[CASE, Shown("signal", f"SIG-2026-{i:04d}")],
                room_id="!casus:avz.test",
            )


async def _verify(database: Database) -> tuple[int, int | None, str | None]:
    async with database.session() as session:
        outcome = await verify(session, batch=3)
    broken = outcome.broken
    return outcome.checked, broken.seq if broken else None, broken.reason if broken else None


async def test_entries_chain_and_verify(database: Database) -> None:
    assert await _verify(database) == (0, None, None)
    await _record(database, 7)
    assert await _verify(database) == (7, None, None)
    async with database.session() as session:
        reads, total = await AccessLogRepository(session).readers(
            [CASE], T0, T0 + timedelta(days=1), limit=5
        )
    assert total == 7
    assert [r.seq for r in reads] == [7, 6, 5, 4, 3]
    assert {(r.reader, r.organisation, r.role, r.command) for r in reads} == {
        ("@anna:avz.test", "politie", "regiehouder", "casus")
    }


async def test_nothing_shown_records_nothing(database: Database) -> None:
    async with database.session() as session, session.begin():
        await AccessLog(session, T0).record(
            reader="@anna:avz.test", organisation=None, role=None, command="casus", shown=[]
        )
    assert await _verify(database) == (0, None, None)


async def _raw(database: Database, sql: str) -> None:
    async with database.session() as session, session.begin():
        await session.execute(text(sql))


async def test_a_changed_entry_is_the_first_broken_link(database: Database) -> None:
    await _record(database, 6)
    await _raw(database, "UPDATE access_log SET reader = '@mallory:avz.test' WHERE seq = 4")
    assert await _verify(database) == (3, 4, "hash")


async def test_a_changed_item_is_found(database: Database) -> None:
    await _record(database, 5)
    await _raw(
        database,
        "UPDATE access_log_shown SET reference = 'AVZ-2026-0999' WHERE entry_id = "
        "(SELECT id FROM access_log WHERE seq = 2) AND kind = 'case'",
    )
    assert await _verify(database) == (1, 2, "hash")


async def test_a_rehashed_entry_breaks_the_next_link(database: Database) -> None:
    await _record(database, 5)
    await _raw(database, "UPDATE access_log SET hash = 'f' || substr(hash, 2) WHERE seq = 3")
    assert await _verify(database) == (2, 3, "hash")


async def test_a_removed_entry_is_a_gap(database: Database) -> None:
    await _record(database, 5)
    await _raw(
        database,
        "DELETE FROM access_log_shown WHERE entry_id = (SELECT id FROM access_log WHERE seq = 3)",
    )
    await _raw(database, "DELETE FROM access_log WHERE seq = 3")
    assert await _verify(database) == (2, 3, "gap")


async def test_entries_removed_at_the_end_are_found(database: Database) -> None:
    await _record(database, 4)
    await _raw(
        database,
        "DELETE FROM access_log_shown WHERE entry_id = (SELECT id FROM access_log WHERE seq = 4)",
    )
    await _raw(database, "DELETE FROM access_log WHERE seq = 4")
    assert await _verify(database) == (3, 4, "head")


async def test_concurrent_writers_form_one_chain(database: Database) -> None:
    """Ten transactions that each read first and then append at the same moment: every
    entry lands, with seq 1..10 and every link intact."""
    barrier = asyncio.Barrier(10)

    async def one(i: int) -> None:
        async with database.session() as session, session.begin():
            await session.execute(text("SELECT 1"))
            await barrier.wait()
            await _append_in(session, i)

    await asyncio.gather(*(one(i) for i in range(10)))
    assert await _verify(database) == (10, None, None)


async def _append_in(session: AsyncSession, i: int) -> None:
    await AccessLog(session, T0).record(
        reader=f"@user{i}:avz.test",
        organisation="ggz",
        role=None,
        command="signalen",
        shown=[Shown("person", f"v1:{i:064x}")],
    )


async def test_an_erased_person_leaves_the_chain_whole_and_no_pseudonym(
    database: Database,
) -> None:
    """Erasure (AVG art. 17) blanks the pseudonym and its salt; the chain still verifies
    and the digest left behind cannot be linked to the person."""
    pseudonym = "v1:" + "ab" * 32
    for i in range(3):
        async with database.session() as session, session.begin():
            await AccessLog(session, T0 + timedelta(minutes=i)).record(
                reader="@anna:avz.test",
                organisation="politie",
                role="tvo:groningen",
                command="tvo agenda",
                shown=[Shown("signal", f"SIG-2026-{i:04d}"), Shown("person", pseudonym)],
            )
    async with database.session() as session, session.begin():
        assert await AccessLogRepository(session).erase("person", [pseudonym]) == 3
    assert await _verify(database) == (3, None, None)
    async with database.session() as session:
        rows = (await session.execute(text("SELECT reference, salt FROM access_log_shown"))).all()
    assert all(pseudonym not in str(row) for row in rows)
    assert sum(1 for reference, salt in rows if reference is None and salt is None) == 3
