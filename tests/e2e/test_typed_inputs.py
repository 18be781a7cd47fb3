"""Issue 25: commands as a busy professional types them, through Synapse and `avz-bot run`.

Each input the issue reports, as written (only the user ids are this homeserver's), plus
neighbours: unquoted option values and titles, people by the registry's names, "Bedoel je
…?", replies with a capital, help that fits the room, the bot addressed by name, the BSN
guard's answer to a command, and ``@room`` in repeated text.
"""

from __future__ import annotations

import re

import pytest

from avz_bot.domain.inbound import WORD_JOINER
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.testkit.partner import PartnerClient, ReceivedMessage
from avz_bot.testkit.world import BotWorld

pytestmark = pytest.mark.e2e

REFERENCE = re.compile(r"AVZ-\d{4}-\d{4}")


async def ask(who: PartnerClient, room: str, bot: str, body: str) -> ReceivedMessage:
    """``body`` sent, and the bot's answer to it."""
    return await who.send_and_wait(room, body, reply_from=bot, timeout=60)


async def test_inputs_as_people_type_them(world: BotWorld) -> None:
    pieter = await world.partner("pieter", "politie", registry_name="Pieter de Vries")
    anouk = await world.partner("anouk", "ggz", registry_name="Anouk Bakker")
    intake = await pieter.create_encrypted_room(name="intake")
    await world.start(cases=CasesSettings(intake_rooms=[intake]))
    bot = world.bot_id
    await pieter.invite(intake, bot)
    await pieter.wait_for_join(intake, bot, timeout=60)

    # Refusals start with a capital; a mistyped municipality gets a suggestion.
    missing = await ask(pieter, intake, bot, "!casus nieuw gemeente=groningen type=pga")
    assert missing.body.startswith("Werktitel ontbreekt."), missing.body
    typo = await ask(
        pieter, intake, bot, "!casus nieuw Overlast Vinkhuizen gemeente=grongingen type=pga"
    )
    assert "Bedoel je groningen?" in typo.body, typo.body
    assert not REFERENCE.search(typo.body)
    assert (
        "Bedoel je pga?"
        in (
            await ask(pieter, intake, bot, "!casus nieuw Overlast gemeente=groningen type=pgaa")
        ).body
    )
    # An unquoted title of several words (the issue: "Te veel argumenten.").
    opened = await ask(
        pieter,
        intake,
        bot,
        "!casus nieuw Overlast Vinkhuizen gemeente=groningen type=pga partners=ggz",
    )
    assert REFERENCE.search(opened.body), opened.body

    # Help in the intake room: the few commands that fit it, and the way to all.
    intake_help = await ask(pieter, intake, bot, "!help")
    assert "!casus nieuw" in intake_help.body and "!help alles" in intake_help.body
    assert "!acties" not in intake_help.body

    invitation = await pieter.wait_for_invitation(bot, exclude=[intake], timeout=60)
    room = invitation.room_id
    await pieter.join(room)
    await anouk.wait_for_invitation(bot, timeout=60)
    await anouk.join(room)
    await pieter.wait_for_message(
        room, sender=bot, predicate=lambda b: b.startswith("Welkom"), timeout=60
    )

    card = await ask(pieter, room, bot, "!casus")
    assert "Overlast Vinkhuizen" in card.body, card.body
    assert "Anouk Bakker" in card.body  # the name people then type

    # A mistyped sub-command gets "Bedoel je …?", not "Te veel argumenten".
    claimen = await ask(pieter, room, bot, "!regie claimen")
    assert claimen.body.startswith("Bedoel je !regie claim?"), claimen.body
    assert "heeft nu de regie" in (await ask(pieter, room, bot, "!regie claim")).body

    # The deadline's time is the deadline's, not the description's.
    first = await ask(
        pieter, room, bot, f"!actie {anouk.user_id} bel de huisarts deadline=vrijdag 14:00"
    )
    lines = first.body.splitlines()
    assert lines[0].endswith("vastgelegd: bel de huisarts"), first.body
    assert "14:00" in lines[-1] and "geen tijd genoemd" not in first.body, first.body

    # Text after a deadline is not silently dropped or guessed: the bot asks.
    unclear = await ask(pieter, room, bot, "!actie Anouk bel deadline=vrijdag 14:00 de huisarts")
    assert unclear.body.startswith("Bedoel je vrijdag 14:00 ("), unclear.body
    assert "„de huisarts”" in unclear.body and "Er is niets gewijzigd" in unclear.body

    # People by the registry's name the bot prints ("Anouk Bakker — …"): first name too.
    second = await ask(
        pieter, room, bot, '!actie Anouk "Verslag rondsturen" deadline="vrijdag 14:00"'
    )
    assert "Verslag rondsturen" in second.body and "geen lid" not in second.body, second.body
    assert "14:00" in second.body
    third = await ask(
        pieter, room, bot, "!actie Anouk Bakker @room let op: dossier bijwerken deadline=morgen"
    )
    assert "dossier bijwerken" in third.body, third.body

    # A reason of several words, unquoted.
    postponed = await ask(pieter, room, bot, "!actie uitstel 1 maandag 10:00 reden=geen tijd meer")
    assert "Reden: geen tijd meer" in postponed.body, postponed.body
    assert "10:00" in postponed.body

    # "@room" typed in a description never reaches a body or the HTML as "@room".
    listed = await ask(pieter, room, bot, "!acties")
    assert "dossier bijwerken" in listed.body and "#4" not in listed.body
    assert "@room" not in listed.body and f"@{WORD_JOINER}room" in listed.body
    assert listed.formatted_body is not None and "@room" not in listed.formatted_body

    # Help in a case room: a short list; "wie" from the table that decides.
    case_help = await ask(anouk, room, bot, "!help")
    assert case_help.body.startswith("Commando's in deze casuskamer"), case_help.body
    assert "!acties" in case_help.body and "!tvo besluit" not in case_help.body
    assert len(case_help.body.splitlines()) < 16
    about = await ask(anouk, room, bot, "!help actie")
    assert "Wie: leden van de casus" in about.body, about.body

    # Addressed by name, with a space after the prefix, or with a mention pill.
    for body in ("avz-bot: help", "! help"):
        named = await ask(anouk, room, bot, body)
        assert named.body.startswith("Commando's in deze casuskamer"), (body, named.body)
    pill = await anouk.send_pill_command(room, "", bot, "avz-bot", ": help")
    by_pill = await anouk.wait_for_message(room, sender=bot, in_reply_to=pill, timeout=60)
    assert by_pill.body.startswith("Commando's in deze casuskamer"), by_pill.body

    # A command with a BSN: the answer to it says it was not carried out, and why.
    guarded = await ask(
        pieter, room, bot, f"!actie {anouk.user_id} bel over 123456782 deadline=morgen"
    )
    assert guarded.body.startswith("Dit commando is niet uitgevoerd"), guarded.body
    assert "BSN" in guarded.body and "123456782" not in guarded.body
    still = await ask(pieter, room, bot, "!acties")
    assert "bel over" not in still.body
