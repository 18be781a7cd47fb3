"""The core's per-sync work: skipped while nothing can be there, never skipped when it matters.

The benchmark showed these queries as half of the bot's CPU per command; these tests pin
what skipping them must never cost: a stored sync token after room events, a retried
failed send, and parked undecryptable events that are still looked at.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from avz_bot.clock import FakeClock
from avz_bot.domain.inbound import Reply
from avz_bot.messages import Messages
from avz_bot.metrics import BotMetrics
from avz_bot.ports import EncryptedEventRef, SendError
from avz_bot.runtime.core import OUTBOX_RETRY, SYNC_TOKEN_INTERVAL, BotCore
from avz_bot.runtime.units import AppServices
from avz_bot.services.outbox import txn_id_for
from avz_bot.settings_sections.limits import LimitSettings
from commands.framework import Dispatcher
from commands.registry import build_registry
from storage.db import Database
from storage.direct_repositories import DirectChatRepository
from storage.outbox_repositories import OutboxRepository
from storage.runtime_repositories import SyncStateRepository

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class FlakyGateway:
    """Fails while ``down``; records what it sent."""

    def __init__(self) -> None:
        self.down = False
        self.sent: list[str] = []

    async def send(self, room_id: str, content: dict[str, Any], txn_id: str) -> str:
        if self.down:
            raise SendError("network: test", permanent=False)
        self.sent.append(txn_id)
        return f"$sent{len(self.sent)}"


def make_core(
    database: Database, clock: FakeClock, services: AppServices | None = None
) -> tuple[BotCore, FlakyGateway]:
    messages = Messages()
    core = BotCore(
        database=database,
        dispatcher=Dispatcher(build_registry(), messages, "!"),
        messages=messages,
        services=services or AppServices(clock=clock, version="test", messages=messages),
        clock=clock,
        metrics=BotMetrics(),
        allowed_servers=["avz.test"],
        undecryptable_grace=timedelta(seconds=20),
    )
    gateway = FlakyGateway()
    core.attach_gateway(gateway)
    return core, gateway


async def stored_token(database: Database) -> str | None:
    async with database.session() as session:
        return await SyncStateRepository(session).get("matrix.next_batch")


async def test_sync_token_is_stored_after_room_events_and_at_least_every_interval(
    database: Database,
) -> None:
    clock = FakeClock(START)
    core, _ = make_core(database, clock)
    await core.save_sync_token("t1")  # the first is always stored
    assert await stored_token(database) == "t1"
    await core.save_sync_token("t2")  # nothing reached the core: may wait
    assert await stored_token(database) == "t1"
    await core.left("!room:avz.test")  # a room event: stored at once
    await core.save_sync_token("t3")
    assert await stored_token(database) == "t3"
    await core.save_sync_token("t4")
    clock.advance(SYNC_TOKEN_INTERVAL)
    await core.save_sync_token("t5")  # the interval has passed
    assert await stored_token(database) == "t5"


async def test_a_failed_send_is_retried_after_a_sync_within_the_retry_interval(
    database: Database,
) -> None:
    clock = FakeClock(START)
    core, gateway = make_core(database, clock)
    await core.after_sync()  # start-up: looks once
    async with database.session() as session, session.begin():
        await OutboxRepository(session).add(
            "txn-1", "!room:avz.test", Reply("a", "a").to_content(), START
        )
    gateway.down = True
    assert await core.flush_outbox() == 0
    gateway.down = False
    await core.after_sync()  # nothing queued through the core since: not looked at yet
    assert gateway.sent == []
    clock.advance(OUTBOX_RETRY)
    await core.after_sync()
    assert gateway.sent == ["txn-1"]


async def test_a_message_queued_outside_a_command_goes_out_after_the_next_sync(
    database: Database,
) -> None:
    """Whoever queues (a membership change releasing a direct chat's waiting messages,
    a welcome card, a job): everything enters through ``AppServices.queue``, and the
    flush after the next sync sends it — not only after the retry interval."""
    clock = FakeClock(START)
    services = AppServices(clock=clock, version="test", messages=Messages())
    core, gateway = make_core(database, clock, services)
    await core.after_sync()  # start-up: looks once
    await core.after_sync()
    async with database.session() as session, session.begin():
        await services.queue(session, "txn-welcome", "!room:avz.test", Reply("a", "a"))
    await core.after_sync()  # same instant: well within OUTBOX_RETRY
    assert gateway.sent == ["txn-welcome"]


async def test_a_direct_message_released_by_the_join_goes_out_after_the_next_sync(
    database: Database,
) -> None:
    clock = FakeClock(START)
    services = AppServices(clock=clock, version="test", messages=Messages())
    core, gateway = make_core(database, clock, services)
    user, room = "@anouk:avz.test", "!dm:avz.test"
    async with database.session() as session, session.begin():
        await services.direct_messages(session).send(user, "k", Reply("a", "a"))
        await DirectChatRepository(session).set_room(user, room, START, joined=False)
    await core.after_sync()  # start-up: looks once (nothing to send: it waits for the join)
    await core.after_sync()
    assert gateway.sent == []
    async with database.session() as session, session.begin():
        assert await services.direct_messages(session).joined(room, user) == 1
    await core.after_sync()  # same instant: well within OUTBOX_RETRY
    assert gateway.sent == [txn_id_for("direct", "k")]


async def test_a_deferred_message_is_retried_when_its_pause_ends(database: Database) -> None:
    """A send that failed for now is retried as soon as the room's pause is over, without
    waiting for a sync (the long poll) and the retry interval."""
    clock = FakeClock(START)
    limits = LimitSettings(retry_base_seconds=0.05)
    services = AppServices(clock=clock, version="test", messages=Messages(), limits=limits)
    core, gateway = make_core(database, clock, services)
    async with database.session() as session, session.begin():
        await services.queue(session, "txn-late", "!room:avz.test", Reply("a", "a"))
    gateway.down = True
    assert await core.flush_outbox() == 0  # deferred for 0.05 s
    gateway.down = False
    clock.advance(timedelta(seconds=1))  # the stored pause is over as well
    for _ in range(200):
        if gateway.sent:
            break
        await asyncio.sleep(0.01)
    assert gateway.sent == ["txn-late"]  # and no sync came in between
    await core.close()


async def test_parked_events_are_looked_at_until_none_is_left(database: Database) -> None:
    clock = FakeClock(START)
    core, _ = make_core(database, clock)
    assert await core.pending_undecryptable() == []
    ref = EncryptedEventRef(
        event_id="$enc",
        room_id="!room:avz.test",
        sender="@p:avz.test",
        session_id="s",
        sender_key="k",
        source={"type": "m.room.encrypted", "content": {}},
        sent_at=START,
    )
    await core.undecryptable(ref)
    assert [r.event_id for r in await core.pending_undecryptable()] == ["$enc"]
    assert [r.event_id for r in await core.pending_undecryptable()] == ["$enc"]
    await core.decrypted_late("$enc")
    assert await core.pending_undecryptable() == []
