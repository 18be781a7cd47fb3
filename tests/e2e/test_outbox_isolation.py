"""The outbox never blocks, through the real homeserver (issue 14).

A reply too large for the homeserver sits at the head of the outbox (before, the
bot retried it for ever and every other room waited behind it). A command in another
room is answered anyway, the sender of the failed reply is told in Dutch, and the
audit trail records the dead letter.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from avz_bot.runtime.core import txn_id_for
from avz_bot.testkit.world import BotWorld
from storage.audit_repositories import AuditRepository
from storage.db import Database
from storage.outbox_repositories import OutboxRepository

pytestmark = pytest.mark.e2e


async def test_an_oversized_reply_is_set_aside_and_other_rooms_are_answered(
    world: BotWorld,
) -> None:
    pieter = await world.partner("pieter", "politie")
    anouk = await world.partner("anouk", "ggz")
    await world.start()
    room_a = await world.room_with_bot(pieter)
    room_b = await world.room_with_bot(anouk)
    asked = await pieter.send_and_wait(room_a, "!ping", reply_from=world.bot_id)

    # An answer of 90 kB for Pieter, queued as if an old version had built it.
    database = Database(world.settings().database_url)
    txn = txn_id_for("reply", "$oversized")
    try:
        async with database.session() as session, session.begin():
            await OutboxRepository(session).add(
                txn,
                room_a,
                {
                    "msgtype": "m.notice",
                    "body": "regel met een afspraak\n" * 4_000,
                    "m.relates_to": {"m.in_reply_to": {"event_id": asked.event_id}},
                },
                datetime.now(UTC),
                requested_by=pieter.user_id,
            )

        reply = await anouk.send_and_wait(room_b, "!ping", reply_from=world.bot_id, timeout=30)
        assert "ms" in reply.body

        notice = await pieter.wait_for_message(
            room_a,
            sender=world.bot_id,
            predicate=lambda body: "kon niet worden verstuurd" in body,
            timeout=30,
        )
        assert notice.encrypted
        assert notice.in_reply_to == asked.event_id
        assert "te groot" in notice.body
        async with database.session() as session:
            row = await OutboxRepository(session).get(txn)
            audit = await AuditRepository(session).list(entity_type="outbox", entity_id=txn)
        assert row is not None and row.failure == "M_TOO_LARGE"
        assert [entry.action for entry in audit] == ["outbox.dead_letter"]
    finally:
        await database.dispose()
