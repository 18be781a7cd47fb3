"""Direct messages and encrypted attachments through the real homeserver.

The trigger is in-process (the areas that send direct messages call the same
``UnitServices.direct`` inside their commands); everything after it is real: the
durable job creates the chat, the partner accepts the invitation, the message waits for
the join, and the attachment is uploaded encrypted, downloaded and decrypted by the
partner's own client.
"""

from __future__ import annotations

import pytest

from avz_bot.domain.inbound import Attachment, Reply
from avz_bot.testkit.bot import RunningBot
from avz_bot.testkit.world import BotWorld

pytestmark = pytest.mark.e2e

ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//avz-bot//test//NL\r\nEND:VCALENDAR\r\n"


async def _direct(bot: RunningBot, user_id: str, key: str, reply: Reply) -> None:
    app = bot.app
    async with app.database.session() as session, session.begin():
        await app.services.bind(session).direct(user_id, key, reply)
    app.scheduler.wake()
    await app.core.flush_outbox()


async def test_direct_message_opens_a_chat_waits_for_the_join_and_carries_a_file(
    world: BotWorld,
) -> None:
    anouk = await world.partner("anouk", "ggz")
    bot = await world.start()

    first = Reply(
        plain="Er is een overleg gepland.",
        html="Er is een overleg gepland.",
        attachments=(Attachment("overleg.ics", "text/calendar", ICS),),
    )
    await _direct(bot, anouk.user_id, "test:first", first)
    invitation = await anouk.wait_for_invitation(world.bot_id, timeout=60)
    room = invitation.room_id

    text = await anouk.wait_for_message(room, sender=world.bot_id, timeout=60)
    assert text.body == "Er is een overleg gepland."
    assert text.encrypted
    file = await anouk.wait_for_message(
        room, sender=world.bot_id, predicate=lambda body: body == "overleg.ics", timeout=60
    )
    assert file.encrypted and file.msgtype == "m.file"
    assert file.content is not None and "url" not in file.content  # only the encrypted form
    assert await anouk.download_attachment(file) == ICS

    # The room is private like a case room: encrypted, invite-only, history from the join.
    state = {(ev["type"], ev["state_key"]): ev["content"] for ev in await anouk.room_state(room)}
    assert state[("m.room.encryption", "")]["algorithm"] == "m.megolm.v1.aes-sha2"
    assert state[("m.room.join_rules", "")]["join_rule"] == "invite"
    assert state[("m.room.history_visibility", "")]["history_visibility"] == "joined"

    # A second message goes to the same chat, and the same key is sent only once.
    second = Reply(plain="Tweede bericht.", html="Tweede bericht.")
    await _direct(bot, anouk.user_id, "test:second", second)
    await _direct(bot, anouk.user_id, "test:second", second)
    await anouk.wait_for_message(
        room, sender=world.bot_id, predicate=lambda b: b == "Tweede bericht.", timeout=60
    )
    assert len(anouk.invitations) == 1
    third = Reply(plain="Derde bericht.", html="Derde bericht.")
    await _direct(bot, anouk.user_id, "test:third", third)
    await anouk.wait_for_message(
        room, sender=world.bot_id, predicate=lambda b: b == "Derde bericht.", timeout=60
    )
    bodies = [m.body for m in anouk.messages(room) if m.sender == world.bot_id]
    assert bodies.count("Tweede bericht.") == 1
