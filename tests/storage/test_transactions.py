"""Repositories never commit: the caller's transaction decides what is kept."""

from __future__ import annotations

from datetime import UTC, datetime

from avz_bot.domain.partners import Member, Organisation, OrgDomain, Role
from storage.audit_repositories import AuditRepository
from storage.db import Database
from storage.outbox_repositories import OutboxRepository
from storage.registry_repositories import PartnerRepository
from storage.runtime_repositories import (
    PendingEncryptedRepository,
    ProcessedEventRepository,
    RoomRepository,
    SyncStateRepository,
)

NOW = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
ORG = Organisation("politie", "Politie", OrgDomain.VEILIGHEID)
MEMBER = Member("@anna:avz.test", "Anna", ORG, frozenset({Role.PROFESSIONAL}))


async def _write_everything(database: Database, *, commit: bool) -> None:
    async with database.session() as session:
        await session.begin()
        await PartnerRepository(session).sync([ORG], [MEMBER])
        processed = ProcessedEventRepository(session)
        assert await processed.claim("$e", "!r:x", MEMBER.matrix_id, NOW)
        await processed.set_outcome("$e", "help", "ok")
        await OutboxRepository(session).add("txn", "!r:x", {"body": "hoi"}, NOW)
        await SyncStateRepository(session).set("matrix.next_batch", "s1", NOW)
        rooms = RoomRepository(session)
        await rooms.record_join("!r:x", NOW, True)
        await rooms.mark_unencrypted_notice("!r:x", NOW)
        await PendingEncryptedRepository(session).add(
            event_id="$p",
            room_id="!r:x",
            sender=MEMBER.matrix_id,
            session_id="s",
            sender_key="k",
            source={"type": "m.room.encrypted", "content": {"ciphertext": "x"}},
            first_seen_at=NOW,
        )
        await AuditRepository(session).append(
            occurred_at=NOW, actor=MEMBER.matrix_id, actor_org="politie", action="help"
        )
        if commit:
            await session.commit()
        else:
            await session.rollback()


async def _everything(database: Database) -> list[object]:
    async with database.session() as session:
        return [
            await PartnerRepository(session).list_members(),
            await ProcessedEventRepository(session).is_processed("$e"),
            await OutboxRepository(session).get("txn"),
            await SyncStateRepository(session).get("matrix.next_batch"),
            await RoomRepository(session).get("!r:x"),
            await PendingEncryptedRepository(session).for_session("s"),
            await AuditRepository(session).list(),
        ]


async def test_rolling_back_the_callers_transaction_undoes_every_repository(
    database: Database,
) -> None:
    await _write_everything(database, commit=False)
    assert await _everything(database) == [[], False, None, None, None, [], []]


async def test_committing_the_callers_transaction_keeps_everything(database: Database) -> None:
    await _write_everything(database, commit=True)
    members, processed, outbox, token, room, pending, audit = await _everything(database)
    assert members == [MEMBER]
    assert processed is True
    assert outbox is not None and token == "s1" and room is not None
    assert len(pending) == 1 and len(audit) == 1  # type: ignore[arg-type]


async def test_a_one_statement_session_keeps_its_write_and_reads_what_is_committed(
    database: Database,
) -> None:
    """``Database.one_statement_session`` (the outbox's ready read and mark-sent): on
    PostgreSQL without BEGIN/COMMIT, on SQLite an ordinary session — either way the
    write is kept and the read sees committed rows, and nothing uncommitted."""
    async with database.session() as session, session.begin():
        await OutboxRepository(session).add("txn-1", "!r:x", {"body": "hoi"}, NOW)
    async with database.one_statement_session() as session, session.begin():
        await OutboxRepository(session).mark_sent("txn-1", "$sent", NOW)
    async with database.session() as session:
        row = await OutboxRepository(session).get("txn-1")
    assert row is not None and row.remote_event_id == "$sent" and row.sent_at == NOW

    async with database.session() as writer:
        await writer.begin()
        await OutboxRepository(writer).add("txn-2", "!r:x", {"body": "nog niet"}, NOW)
        async with database.one_statement_session() as reader:
            assert await OutboxRepository(reader).ready(NOW, 0, 10) == []
        await writer.rollback()
