"""The privacy officer's toolkit through the real homeserver, with encrypted partners:
reads by three partners appear in the access log with their organisation and role; the
access export of a request arrives as encrypted files holding exactly the person's data
(not a namesake's with another birth date); other roles are refused."""

from __future__ import annotations

import json
import re

import pytest
from pydantic import SecretStr

from avz_bot.services.access_log import verify
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.settings_sections.signals import SignalSettings
from avz_bot.testkit.bot import start_bot
from avz_bot.testkit.partner import PartnerClient
from avz_bot.testkit.world import BotWorld

pytestmark = pytest.mark.e2e

CASE = re.compile(r"AVZ-\d{4}-\d{4}")
REQUEST = re.compile(r"PV-\d{4}-\d{4}")
PERSON = 'naam="Jan de Vries" geboortedatum=03-02-2001'
NAMESAKE = 'naam="Jan de Vries" geboortedatum=04-02-2001'


async def ask(world: BotWorld, who: PartnerClient, room: str, body: str) -> str:
    reply = await who.send_and_wait(room, body, reply_from=world.bot_id, timeout=60)
    return reply.body


async def test_access_log_export_and_refusals(world: BotWorld) -> None:
    pieter = await world.partner("pieter", "politie")
    anouk = await world.partner("anouk", "ggz")
    karin = await world.partner("karin", "avz", ("professional", "ketenmanager"))
    priva = await world.partner("priva", "avz", ("privacy",))
    intake = await pieter.create_encrypted_room(name="intake")
    settings = world.settings(cases=CasesSettings(intake_rooms=[intake])).model_copy(
        update={"signals": SignalSettings(keys={"v1": SecretStr("s" * 48)})}
    )
    world.write_registry()
    bot = await start_bot(settings)
    world.running.append(bot)

    room = await world.case_room(pieter, anouk, intake, "Privacy")
    opened = await pieter.wait_for_message(
        room, sender=world.bot_id, predicate=lambda b: "Welkom" in b, timeout=60
    )
    reference = CASE.search(opened.body)
    assert reference, opened.body
    ref = reference.group(0)
    assert "regie" in await ask(world, pieter, room, "!regie claim")
    await ask(world, pieter, room, f"!casus uitnodigen {karin.user_id}")
    await karin.wait_for_invitation(world.bot_id, timeout=60)
    await karin.join(room)
    await pieter.wait_for_join(room, karin.user_id, timeout=60)

    # The person: linked to the case, two signals; a namesake with another birth date.
    pieter_dm = await world.room_with_bot(pieter)
    assert "gekoppeld" in await ask(world, pieter, pieter_dm, f"!casus persoon {ref} {PERSON}")
    anouk_dm = await world.room_with_bot(anouk)
    await ask(world, anouk, anouk_dm, f"!signaal {PERSON} categorie=verslaving")
    await ask(world, anouk, anouk_dm, f"!signaal {NAMESAKE} categorie=schulden")

    # Three partners read the case.
    assert ref in await ask(world, pieter, room, "!casus")
    assert ref in await ask(world, anouk, room, "!tijdlijn")
    assert await ask(world, karin, room, "!rollen")

    priva_dm = await world.room_with_bot(priva)
    readers = await ask(world, priva, priva_dm, f"!gelezen casus {ref}")
    assert f"Gelezen: casus {ref}" in readers
    assert "(politie, regiehouder) met !casus" in readers
    assert "(ggz, deelnemer) met !tijdlijn" in readers
    assert "(avz, deelnemer) met !rollen" in readers

    # Non-privacy roles are refused; a ketenmanager sees their own case's readers.
    for who, dm in ((pieter, pieter_dm), (anouk, anouk_dm)):
        refused = await ask(world, who, dm, f"!gelezen casus {ref}")
        assert "voorbehouden aan het contactpunt" in refused and "Test" not in refused
        refused = await ask(world, who, dm, f"!verzoek nieuw inzage {PERSON}")
        assert "voorbehouden" in refused and "Vries" not in refused
    karin_dm = await world.room_with_bot(karin)
    assert "(ggz, deelnemer)" in await ask(world, karin, karin_dm, f"!gelezen casus {ref}")

    # A request for access: reference, deadline, and the export as encrypted files.
    registered = await ask(world, priva, priva_dm, f"!verzoek nieuw inzage {PERSON}")
    request = REQUEST.search(registered)
    assert request and "Uiterlijk" in registered and "Vries" not in registered
    summary = await ask(world, priva, priva_dm, f"!verzoek inzage {request.group(0)}")
    assert "1 signalen, 1 casussen" in summary
    name = f"inzage-{request.group(0)}.json"
    file = await priva.wait_for_message(
        priva_dm, sender=world.bot_id, predicate=lambda b: b == name, timeout=60
    )
    assert file.encrypted and file.content is not None and "url" not in file.content
    data = json.loads(await priva.download_attachment(file))
    assert [s["category"] for s in data["signalen"]] == ["verslaving"]  # not the namesake's
    assert [c["casus"]["reference"] for c in data["casussen"]] == [ref]
    assert {r["organisatie"] for r in data["toegangslog"]} >= {"politie", "ggz", "avz"}
    assert "schulden" not in json.dumps(data)

    # Every read is in the chain, and the chain is whole.
    async with bot.app.database.session() as session:
        outcome = await verify(session)
    assert outcome.broken is None and outcome.checked >= 6
