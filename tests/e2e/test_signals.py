"""Signals, matching, TVO triage and the BSN guard through the real homeserver, with
encrypted partners sending what Element sends."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from nio import RoomGetEventResponse
from pydantic import SecretStr
from sqlalchemy import text

from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.settings_sections.operations import OperationsSettings
from avz_bot.settings_sections.signals import SignalSettings
from avz_bot.testkit.bot import RunningBot, start_bot
from avz_bot.testkit.partner import PartnerClient
from avz_bot.testkit.world import BotWorld

pytestmark = pytest.mark.e2e

BSN = "123456782"
OTHER_BSN = "111222333"
THIRD_BSN = "999999990"
CASE = re.compile(r"AVZ-\d{4}-\d{4}")
SIGNAL = re.compile(r"SIG-\d{4}-\d{4}")


class ShiftableClock:
    """The real clock plus an offset that a test can move forward (years, at once).

    Rooms are joined before the shift, so messages sent after it are still newer than
    the bot's joins; only the bot's idea of "now" (signal expiry) jumps.
    """

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass
class SignalWorld:
    world: BotWorld
    bot: RunningBot
    clock: ShiftableClock

    @property
    def bot_id(self) -> str:
        return self.world.bot_id

    async def ask(self, who: PartnerClient, room: str, body: str) -> str:
        reply = await who.send_and_wait(room, body, reply_from=self.bot_id, timeout=60)
        return reply.body

    async def notice(self, who: PartnerClient, room: str, needle: str) -> str:
        message = await who.wait_for_message(
            room, sender=self.bot_id, predicate=lambda body: needle in body, timeout=60
        )
        return message.body

    async def count_signals(self) -> int:
        async with self.bot.app.database.session() as session:
            return int((await session.execute(text("SELECT count(*) FROM signals"))).scalar_one())


async def start(
    world: BotWorld, *, intake: list[str], coordination: str | None, tvo: dict[str, str]
) -> SignalWorld:
    clock = ShiftableClock()
    settings = world.settings(
        cases=CasesSettings(intake_rooms=intake, coordination_room=coordination)
    ).model_copy(
        update={
            "signals": SignalSettings(keys={"v1": SecretStr("s" * 48)}, tvo_rooms=tvo),
            # The clock is shifted years ahead below; the exactly-once record must reach
            # back that far, or the bot would (rightly) not act on "years old" commands.
            "operations": OperationsSettings(processed_events_days=4 * 365),
        }
    )
    world.write_registry()
    bot = await start_bot(settings, clock=clock)
    world.running.append(bot)
    return SignalWorld(world, bot, clock)


async def test_matching_tvo_decision_and_expiry(world: BotWorld) -> None:
    pieter = await world.partner("pieter", "politie")
    paul = await world.partner("paul", "politie")
    anouk = await world.partner("anouk", "ggz")
    karin = await world.partner("karin", "avz", ("professional", "ketenmanager"))
    tvo = await karin.create_encrypted_room(name="tvo-groningen")
    sw = await start(world, intake=[tvo], coordination=None, tvo={"groningen": tvo})
    await karin.invite(tvo, world.bot_id)
    await karin.wait_for_join(tvo, world.bot_id, timeout=60)
    dm = {p.user_id: await world.room_with_bot(p) for p in (pieter, paul, anouk)}

    first = await sw.ask(
        pieter, dm[pieter.user_id], f"!signaal bsn={BSN} categorie=overlast gemeente=groningen"
    )
    assert SIGNAL.search(first) and "overlast" in first and BSN not in first
    assert "geen signaal van een andere organisatie" in first

    # The same organisation twice does not match.
    same_org = await sw.ask(paul, dm[paul.user_id], f"!signaal bsn={BSN} categorie=schulden")
    assert "geen signaal van een andere organisatie" in same_org

    # Another organisation: both sides learn of each other, nobody else anything.
    match = await sw.ask(
        anouk, dm[anouk.user_id], "!signaal bsn=1234.56.782 categorie=verslaving gemeente=groningen"
    )
    assert pieter.user_id in match and paul.user_id in match and "Politie" in match
    told = await sw.notice(pieter, dm[pieter.user_id], "Samenloop op jouw signaal")
    assert anouk.user_id in told and "Lentis GGZ" in told and "verslaving" in told
    anouk_reference = SIGNAL.findall(match)[0]
    assert anouk_reference not in first
    agenda_item = await sw.notice(karin, tvo, "Nieuwe samenloop")
    assert "Lentis GGZ" in agenda_item and BSN not in agenda_item and "Test" not in agenda_item

    # "!mijn" lists the professional's own signals and until when they count.
    plate = await sw.ask(pieter, dm[pieter.user_id], "!mijn")
    assert "Jouw signalen" in plate and SIGNAL.search(first).group(0) in plate  # type: ignore[union-attr]

    # A third person does not match.
    third = await sw.ask(pieter, dm[pieter.user_id], f"!signaal bsn={THIRD_BSN} categorie=overlast")
    assert "geen signaal van een andere organisatie" in third

    # An invalid BSN is refused and nothing is stored.
    before = await sw.count_signals()
    refused = await sw.ask(anouk, dm[anouk.user_id], "!signaal bsn=123456789 categorie=overlast")
    assert "elfproef" in refused
    assert await sw.count_signals() == before

    # The TVO decides: a case, with the signalling professionals invited.
    agenda = await sw.ask(karin, tvo, "!tvo agenda")
    assert "samenloop met" in agenda and BSN not in agenda
    seen = [i.room_id for i in anouk.invitations]
    decided = await sw.ask(karin, tvo, f"!tvo besluit {anouk_reference} casus reden=samenloop")
    found = CASE.search(decided)
    assert found, decided
    invitation = await anouk.wait_for_invitation(world.bot_id, exclude=seen, timeout=60)
    await pieter.wait_for_invitation(world.bot_id, timeout=60)
    await anouk.join(invitation.room_id)
    welcome = await sw.notice(anouk, invitation.room_id, "Welkom")
    assert found.group(0) in welcome

    # An expired signal stops matching: two years and a day later.
    sw.clock.offset = timedelta(days=2 * 365 + 2)
    late = await sw.ask(anouk, dm[anouk.user_id], f"!signaal bsn={THIRD_BSN} categorie=overlast")
    assert "geen signaal van een andere organisatie" in late and pieter.user_id not in late


async def test_case_person_regiehouder_and_bsn_guard(world: BotWorld) -> None:
    pieter = await world.partner("pieter", "politie")
    anouk = await world.partner("anouk", "ggz")
    karin = await world.partner("karin", "avz", ("professional", "ketenmanager"))
    intake = await pieter.create_encrypted_room(name="intake", invite=[anouk.user_id])
    coordination = await karin.create_encrypted_room(name="coordinatie")
    sw = await start(world, intake=[intake], coordination=coordination, tvo={})
    await pieter.invite(intake, world.bot_id)
    await pieter.wait_for_join(intake, world.bot_id, timeout=60)
    await karin.invite(coordination, world.bot_id)
    await karin.wait_for_join(coordination, world.bot_id, timeout=60)

    opened = await sw.ask(pieter, intake, '!casus nieuw "Signalen" gemeente=groningen type=pga')
    reference = CASE.search(opened)
    assert reference, opened
    invitation = await pieter.wait_for_invitation(world.bot_id, timeout=60)
    await pieter.join(invitation.room_id)
    case_room = invitation.room_id
    await sw.notice(pieter, case_room, "Welkom")
    assert "regie" in await sw.ask(pieter, case_room, "!regie claim")

    # The regiehouder links the case to its central person, in a direct chat only.
    elsewhere = await sw.ask(
        pieter, intake, f'!casus persoon {reference.group(0)} naam="Jan" geboortedatum=01-01-2000'
    )
    assert "privégesprek" in elsewhere
    pieter_dm = await world.room_with_bot(pieter)
    linked = await sw.ask(pieter, pieter_dm, f"!casus persoon {reference.group(0)} bsn={BSN}")
    assert "gekoppeld" in linked and BSN not in linked

    # A signal on that person reaches the regiehouder.
    anouk_dm = await world.room_with_bot(anouk)
    signalled = await sw.ask(anouk, anouk_dm, f"!signaal bsn={BSN} categorie=huiselijk-geweld")
    assert reference.group(0) in signalled and pieter.user_id in signalled
    told = await sw.notice(pieter, pieter_dm, "centrale persoon van casus")
    assert reference.group(0) in told and "Lentis GGZ" in told and "huiselijk geweld" in told

    # A BSN typed in the case room is redacted and explained, without the number.
    since = int(time.time() * 1000)
    leaked = await pieter.send(case_room, f"de client heeft bsn {BSN}, bel even")
    explained = await pieter.wait_for_message(
        case_room,
        sender=world.bot_id,
        predicate=lambda body: "BSN" in body and "verwijderd" in body,
        since_ts=since,
        timeout=60,
    )
    assert BSN not in explained.body and pieter.user_id in explained.body
    deadline = time.monotonic() + 60
    redacted = False
    while time.monotonic() < deadline and not redacted:
        response = await pieter.client.room_get_event(case_room, leaked)
        assert isinstance(response, RoomGetEventResponse)
        source = response.event.source
        redacted = "redacted_because" in source.get("unsigned", {}) or not source.get("content")
        if not redacted:
            await pieter.client.sync(timeout=1000)
    assert redacted, "the message with the BSN was not redacted"

    # In the coordination room the bot cannot redact: it asks to remove it.
    await karin.send(coordination, f"zie {OTHER_BSN}")
    asked = await sw.notice(karin, coordination, "Verwijder het bericht")
    assert OTHER_BSN not in asked

    # A command with a BSN in a case room is not executed: redacted and explained too.
    since = int(time.time() * 1000)
    await pieter.send(case_room, f"!actie {pieter.user_id} bel over {OTHER_BSN} deadline=morgen")
    guarded = await pieter.wait_for_message(
        case_room,
        sender=world.bot_id,
        predicate=lambda body: "verwijderd" in body,
        since_ts=since,
        timeout=60,
    )
    assert OTHER_BSN not in guarded.body
    assert "geen open afspraken" in await sw.ask(pieter, case_room, "!acties")

    # Free text with a BSN is refused before anything is stored (the direct chat is not
    # guarded, the command framework refuses it).
    refused = await sw.ask(pieter, pieter_dm, f"!herinner morgen 9:00 bel over {OTHER_BSN}")
    assert "BSN" in refused and OTHER_BSN not in refused
    assert "geen herinneringen" in await sw.ask(pieter, pieter_dm, "!herinneringen")
