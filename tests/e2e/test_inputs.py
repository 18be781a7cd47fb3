"""Commands as Element Web sends them: pills, typed names, replies, threads and edits.

Every message here is built the way Element Web builds it (``PartnerClient.send_pill_command``,
``send_reply``, ``send_in_thread``, ``send_edit``) and goes encrypted through Synapse.
"""

from __future__ import annotations

import asyncio
import re

import pytest

from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.testkit.partner import PartnerClient, ReceivedMessage
from avz_bot.testkit.world import BotWorld

pytestmark = pytest.mark.e2e

REFERENCE = re.compile(r"AVZ-\d{4}-\d{4}")


async def wait_display_name(bot_sees: PartnerClient, room: str, user: str, name: str) -> None:
    """Wait until ``name`` is ``user``'s display name in ``room`` (as member state)."""
    for _ in range(150):
        for event in await bot_sees.room_state(room):
            if (
                event.get("type") == "m.room.member"
                and event.get("state_key") == user
                and event["content"].get("displayname") == name
            ):
                return
        await asyncio.sleep(0.2)
    raise TimeoutError(f"display name of {user} not updated")


async def answer(
    who: PartnerClient, room: str, bot: str, event_id: str, *, reply_to: str | None = None
) -> ReceivedMessage:
    return await who.wait_for_message(
        room, sender=bot, in_reply_to=reply_to or event_id, timeout=60
    )


async def test_pill_name_reply_thread_and_edit_as_element_sends_them(world: BotWorld) -> None:
    pieter = await world.partner("pieter", "politie")
    anouk = await world.partner("anouk", "ggz")
    karin = await world.partner("karin", "avz")
    await karin.client.set_displayname("Karin de Boer")
    intake = await pieter.create_encrypted_room(name="intake")
    await world.start(cases=CasesSettings(intake_rooms=[intake]))
    bot = world.bot_id
    await pieter.invite(intake, bot)
    await pieter.wait_for_join(intake, bot, timeout=60)
    opened = await pieter.send_and_wait(
        intake,
        '!casus nieuw "Pills" gemeente=veendam type=pga partners=ggz',
        reply_from=bot,
        timeout=60,
    )
    assert REFERENCE.search(opened.body), opened.body
    invitation = await pieter.wait_for_invitation(bot, exclude=[intake], timeout=60)
    room = invitation.room_id
    await pieter.join(room)
    await anouk.wait_for_invitation(bot, timeout=60)
    await anouk.join(room)
    await anouk.client.set_displayname("Anouk Jansen")
    await wait_display_name(pieter, room, anouk.user_id, "Anouk Jansen")
    await pieter.wait_for_message(
        room,
        sender=bot,
        predicate=lambda b: b.startswith("Welkom") and "Test ggz" in b,
        timeout=60,
    )
    claim = await pieter.send_and_wait(room, "!regie claim", reply_from=bot, timeout=60)
    assert "heeft nu de regie" in claim.body

    # 1. A pill: the body says "Anouk Jansen", only the HTML link has her user id.
    pill = await pieter.send_pill_command(room, "!regie overdragen ", anouk.user_id, "Anouk Jansen")
    proposal = await answer(pieter, room, bot, pill)
    assert "accepteren" in proposal.body, proposal.body

    # A pill for someone not in the room yet: only the link can say who is meant.
    invite = await pieter.send_pill_command(
        room, "!casus uitnodigen ", karin.user_id, "Karin de Boer"
    )
    invited = await answer(pieter, room, bot, invite)
    assert "toegevoegd" in invited.body, invited.body

    # 2. Anouk answers the proposal with a rich reply carrying the legacy quote.
    accept = await anouk.send_reply(room, "!regie accepteren", proposal, legacy_fallback=True)
    accepted = await answer(anouk, room, bot, accept)
    assert "overgegaan" in accepted.body, accepted.body

    # 3. A reply without fallback (current Element) works the same way.
    ask = await pieter.send_reply(room, "!regie", accepted, legacy_fallback=False)
    assert "Test ggz" in (await answer(pieter, room, bot, ask)).body

    # 4. In a thread: the answer goes into the same thread, as a reply to the command.
    in_thread = await pieter.send_in_thread(room, "!regie", proposal.event_id)
    threaded = await answer(pieter, room, bot, in_thread)
    assert threaded.thread_root == proposal.event_id
    assert "Test ggz" in threaded.body

    # 5. A name typed without a pill, unique among the members, for !actie's owner.
    action = await pieter.send(room, "!actie Anouk bel de school deadline=morgen")
    created = await answer(pieter, room, bot, action)
    assert "Test ggz" in created.body and "bel de school" in created.body, created.body

    # 6. Editing a command does not run it again; the bot says so once per command.
    await pieter.send_edit(room, pill, f"!regie overdragen {pieter.user_id}")
    notice = await pieter.wait_for_message(
        room, sender=bot, in_reply_to=pill, predicate=lambda b: "bewerkt" in b, timeout=60
    )
    assert "nieuw bericht" in notice.body
    second_edit = await pieter.send_edit(room, pill, "!regie claim")
    after = await pieter.send(room, "!regie")
    holder = await answer(pieter, room, bot, after)
    assert "Test ggz" in holder.body  # neither edit changed regie
    notices = [m for m in pieter.messages(room) if m.sender == bot and "bewerkt" in m.body]
    assert [m.event_id for m in notices] == [notice.event_id], second_edit

    # 7. An ambiguous name: the candidates, and nothing changes.
    await pieter.client.set_displayname("Anouk Smit")
    await wait_display_name(anouk, room, pieter.user_id, "Anouk Smit")
    await asyncio.sleep(1)  # the bot's sync sees the member event too
    ambiguous = await anouk.send_and_wait(
        room, "!regie overdragen Anouk", reply_from=bot, timeout=60
    )
    assert anouk.user_id in ambiguous.body and pieter.user_id in ambiguous.body, ambiguous.body
    assert "niets gewijzigd" in ambiguous.body
