"""Direct messages: held until the member joined, released once, then sent directly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from avz_bot.domain.inbound import Attachment, Reply
from avz_bot.services.direct import JOB_OPEN_DIRECT, DirectMessages
from storage.db import Database
from storage.direct_repositories import DirectChatRepository
from storage.outbox_repositories import OutboxRepository
from storage.schedule_repositories import JobRepository

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
USER = "@anouk:avz.test"
ROOM = "!dm:avz.test"


def _reply(body: str, *files: Attachment) -> Reply:
    return Reply(plain=body, html=body, attachments=files)


async def _send(database: Database, key: str, reply: Reply, at: datetime = T0) -> None:
    async with database.session() as session, session.begin():
        await DirectMessages(session, at).send(USER, key, reply)


async def _outbox(database: Database) -> list[tuple[str, str]]:
    async with database.session() as session:
        return [(r.room_id, r.content["body"]) for r in await OutboxRepository(session).pending()]


async def test_messages_wait_for_the_join_and_the_chat_is_opened_once(database: Database) -> None:
    await _send(database, "a", _reply("eerste", Attachment("x.csv", "text/csv", b"a;b\n")))
    await _send(database, "b", _reply("tweede"), T0 + timedelta(seconds=1))
    await _send(database, "b", _reply("tweede"), T0 + timedelta(seconds=2))  # same key
    assert await _outbox(database) == []
    async with database.session() as session:
        jobs = await JobRepository(session).due(T0 + timedelta(seconds=5), limit=10)
    assert [job.kind for job in jobs] == [JOB_OPEN_DIRECT]

    # The job created the room; the member has not joined yet: still nothing to send.
    async with database.session() as session, session.begin():
        await DirectChatRepository(session).set_room(USER, ROOM, T0, joined=False)
    await _send(database, "c", _reply("derde"), T0 + timedelta(seconds=3))
    assert await _outbox(database) == []

    async with database.session() as session, session.begin():
        released = await DirectMessages(session, T0).joined(ROOM, USER)
    assert released == 4  # three texts and one attachment, in order
    assert await _outbox(database) == [
        (ROOM, "eerste"),
        (ROOM, "x.csv"),
        (ROOM, "tweede"),
        (ROOM, "derde"),
    ]
    async with database.session() as session, session.begin():
        assert await DirectMessages(session, T0).joined(ROOM, USER) == 0  # once only

    # From now on straight into the outbox.
    await _send(database, "d", _reply("vierde"), T0 + timedelta(seconds=4))
    assert (ROOM, "vierde") in await _outbox(database)


async def test_leaving_the_chat_makes_the_next_message_open_a_new_one(database: Database) -> None:
    async with database.session() as session, session.begin():
        await DirectChatRepository(session).set_room(USER, ROOM, T0, joined=True)
        await DirectMessages(session, T0).left(ROOM, "@someone-else:avz.test")
    await _send(database, "a", _reply("eerste"))
    assert await _outbox(database) == [(ROOM, "eerste")]
    async with database.session() as session, session.begin():
        await DirectMessages(session, T0).left(ROOM, USER)
        assert await DirectChatRepository(session).get(USER) is not None
    await _send(database, "b", _reply("tweede"))
    assert await _outbox(database) == [(ROOM, "eerste")]  # held for the new chat
    async with database.session() as session:
        jobs = await JobRepository(session).due(T0 + timedelta(seconds=5), limit=10)
    assert [job.kind for job in jobs] == [JOB_OPEN_DIRECT]
