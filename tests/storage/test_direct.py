"""Direct messages: held until the member joined, released once, then sent directly;
always through ``AppServices`` (size guard, lane)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.clock import FakeClock
from avz_bot.domain.inbound import Attachment, Reply
from avz_bot.lists import content_size
from avz_bot.messages import Messages
from avz_bot.runtime.units import AppServices
from avz_bot.services.direct import JOB_OPEN_DIRECT, DirectMessages
from avz_bot.settings_sections.limits import LimitSettings
from storage.db import Database
from storage.direct_repositories import DirectChatRepository
from storage.outbox_repositories import LANE_BULK, LANE_INTERACTIVE, OutboxRepository
from storage.schedule_repositories import JobRepository

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
USER = "@anouk:avz.test"
ROOM = "!dm:avz.test"


def _reply(body: str, *files: Attachment) -> Reply:
    return Reply(plain=body, html=body, attachments=files)


def _direct(
    session: AsyncSession,
    at: datetime = T0,
    lane: int = LANE_INTERACTIVE,
    max_bytes: int = LimitSettings().reply_max_bytes,
) -> DirectMessages:
    services = AppServices(
        clock=FakeClock(at),
        version="test",
        messages=Messages(),
        limits=LimitSettings(reply_max_bytes=max_bytes),
    )
    return services.direct_messages(session, lane)


async def _send(
    database: Database,
    key: str,
    reply: Reply,
    at: datetime = T0,
    lane: int = LANE_INTERACTIVE,
    max_bytes: int = LimitSettings().reply_max_bytes,
) -> None:
    async with database.session() as session, session.begin():
        await _direct(session, at, lane, max_bytes).send(USER, key, reply)


async def _join(database: Database, max_bytes: int = LimitSettings().reply_max_bytes) -> int:
    async with database.session() as session, session.begin():
        return await _direct(session, max_bytes=max_bytes).joined(ROOM, USER)


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
        released = await _direct(session).joined(ROOM, USER)
    assert released == 4  # three texts and one attachment, in order
    assert await _outbox(database) == [
        (ROOM, "eerste"),
        (ROOM, "x.csv"),
        (ROOM, "tweede"),
        (ROOM, "derde"),
    ]
    async with database.session() as session, session.begin():
        assert await _direct(session).joined(ROOM, USER) == 0  # once only

    # From now on straight into the outbox.
    await _send(database, "d", _reply("vierde"), T0 + timedelta(seconds=4))
    assert (ROOM, "vierde") in await _outbox(database)


async def test_leaving_the_chat_makes_the_next_message_open_a_new_one(database: Database) -> None:
    async with database.session() as session, session.begin():
        await DirectChatRepository(session).set_room(USER, ROOM, T0, joined=True)
        await _direct(session).left(ROOM, "@someone-else:avz.test")
    await _send(database, "a", _reply("eerste"))
    assert await _outbox(database) == [(ROOM, "eerste")]
    async with database.session() as session, session.begin():
        await _direct(session).left(ROOM, USER)
        assert await DirectChatRepository(session).get(USER) is not None
    await _send(database, "b", _reply("tweede"))
    assert await _outbox(database) == [(ROOM, "eerste")]  # held for the new chat
    async with database.session() as session:
        jobs = await JobRepository(session).due(T0 + timedelta(seconds=5), limit=10)
    assert [job.kind for job in jobs] == [JOB_OPEN_DIRECT]


async def _lanes(database: Database) -> list[tuple[str, int]]:
    async with database.session() as session:
        return [(r.content["body"], r.lane) for r in await OutboxRepository(session).pending()]


async def test_a_direct_message_keeps_the_lane_of_the_unit_that_sent_it(
    database: Database,
) -> None:
    # Held until the join: each keeps its lane (a scheduled notice stays bulk).
    await _send(database, "a", _reply("herinnering"), lane=LANE_BULK)
    await _send(database, "b", _reply("antwoord"), T0 + timedelta(seconds=1))
    async with database.session() as session, session.begin():
        await DirectChatRepository(session).set_room(USER, ROOM, T0, joined=False)
    assert await _join(database) == 2
    assert await _lanes(database) == [("herinnering", LANE_BULK), ("antwoord", LANE_INTERACTIVE)]
    # The chat is joined: straight into the outbox, in the unit's lane.
    await _send(
        database, "c", _reply("overzicht", Attachment("x.csv", "text/csv", b"a\n")), lane=LANE_BULK
    )
    assert (await _lanes(database))[2:] == [("overzicht", LANE_BULK), ("x.csv", LANE_BULK)]


async def test_every_direct_message_passes_the_size_guard(database: Database) -> None:
    cut = Messages().t("list.cut")
    long = "\n".join(f"regel {n} " + "é" * 60 for n in range(200))  # about 26 kB of JSON
    # Held (no chat yet) and released on the join; then sent into the joined chat.
    await _send(database, "held", _reply(long), max_bytes=2_000)
    async with database.session() as session, session.begin():
        await DirectChatRepository(session).set_room(USER, ROOM, T0, joined=False)
    await _join(database, max_bytes=2_000)
    await _send(database, "joined", _reply(long), max_bytes=2_000)
    async with database.session() as session:
        rows = await OutboxRepository(session).pending()
    assert len(rows) == 2
    for row in rows:
        assert content_size(row.content) <= 2_000
        assert row.content["body"].startswith("regel 0 ")
        assert row.content["body"].endswith(cut)


async def test_a_held_message_is_guarded_again_when_the_limit_was_lowered(
    database: Database,
) -> None:
    cut = Messages().t("list.cut")
    medium = "\n".join(f"regel {n} " + "x" * 60 for n in range(60))  # about 8 kB of JSON
    table = Attachment("lijst.csv", "text/csv", b"a;b\n" * 2_000)  # 8 kB, uploaded when sent
    await _send(database, "held", _reply(medium, table))  # fits the default limit
    async with database.session() as session, session.begin():
        await DirectChatRepository(session).set_room(USER, ROOM, T0, joined=False)
    await _join(database, max_bytes=2_000)  # the limit was lowered before the join
    async with database.session() as session:
        text_row, file_row = await OutboxRepository(session).pending()
    assert content_size(text_row.content) <= 2_000
    assert text_row.content["body"].endswith(cut)
    # The attachment's event carries its bytes until they are uploaded: not cut.
    assert file_row.content["body"] == "lijst.csv"
    assert file_row.content == table.to_content()
