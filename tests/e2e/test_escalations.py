"""Escalations through the real homeserver: pings with mentions, direct chats, 👍 reactions
as Element sends them (unencrypted ``m.reaction`` annotations in encrypted rooms), the
decision in the case room, a short clock moving to level 2, and the daily digest.

The calendar is opened up (every day a working day, office hours all day) so the working-
time clocks run during the test whatever the date and time of the run.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from avz_bot.domain.escalations import TargetKind
from avz_bot.settings import CalendarSettings
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.settings_sections.escalations import EscalationSettings, LevelSettings
from avz_bot.testkit.partner import PartnerClient
from avz_bot.testkit.world import BotWorld

pytestmark = pytest.mark.e2e

AMS = ZoneInfo("Europe/Amsterdam")
ALWAYS_OPEN = CalendarSettings(
    office_start=time(0, 0),
    office_end=time(23, 59, 59),
    working_weekdays=[0, 1, 2, 3, 4, 5, 6],
    observe_holidays=False,
)


def _mentions(formatted_body: str | None, user: str) -> bool:
    return bool(formatted_body) and f"https://matrix.to/#/{user}" in (formatted_body or "")


async def _case_room(world: BotWorld, pieter: PartnerClient, intake: str) -> str:
    await pieter.invite(intake, world.bot_id)
    await pieter.wait_for_join(intake, world.bot_id, timeout=60)
    opened = await pieter.send_and_wait(
        intake,
        '!casus nieuw "Opschaling" gemeente=groningen type=jeugd',
        reply_from=world.bot_id,
        timeout=60,
    )
    assert "is geopend" in opened.body
    invitation = await pieter.wait_for_invitation(world.bot_id, exclude=[intake], timeout=60)
    await pieter.join(invitation.room_id)
    return invitation.room_id


async def _coordination(
    world: BotWorld, kim: PartnerClient, coord: str, *others: PartnerClient
) -> None:
    """Bring the bot and ``others`` into Kim's coordination room."""
    await kim.invite(coord, world.bot_id)
    await kim.wait_for_join(coord, world.bot_id, timeout=60)
    for other in others:
        await kim.invite(coord, other.user_id)
        await other.join(coord)
        await kim.wait_for_join(coord, other.user_id, timeout=60)


async def _direct_room(partner: PartnerClient, bot: str, exclude: list[str]) -> str:
    invitation = await partner.wait_for_invitation(bot, exclude=exclude, timeout=60)
    await partner.join(invitation.room_id)
    return invitation.room_id


async def test_request_ping_dm_reaction_acknowledges_and_decision_in_case_room(
    world: BotWorld,
) -> None:
    pieter = await world.partner("pieter", "politie")
    kim = await world.partner("kim", "avz", ("ketenmanager",))
    otto = await world.partner("otto", "ggz")
    intake = await pieter.create_encrypted_room(name="intake")
    coord = await kim.create_encrypted_room(name="coordinatie")
    await world.start(
        cases=CasesSettings(intake_rooms=[intake], coordination_room=coord),
        calendar=ALWAYS_OPEN,
    )
    await _coordination(world, kim, coord, otto)
    room = await _case_room(world, pieter, intake)

    requested = await pieter.send_and_wait(
        room,
        '!opschalen inhoudelijk reden="Geen plek, vastgelopen" besluit="Doorbraak plaatsing"',
        reply_from=world.bot_id,
        timeout=60,
    )
    assert "ESC-" in requested.body and "Niveau 1: ketenmanagers" in requested.body
    reference = requested.body.split(":", 1)[0].split()[-1]

    # the coordination room: a ping mentioning Kim, without case content
    ping = await kim.wait_for_message(
        coord, sender=world.bot_id, predicate=lambda b: f"Opschaling {reference}" in b, timeout=60
    )
    assert _mentions(ping.formatted_body, kim.user_id)
    assert "vastgelopen" not in ping.body and "Doorbraak" not in ping.body
    # and a direct message to Kim with the reason and the question
    dm = await _direct_room(kim, world.bot_id, exclude=[coord])
    direct = await kim.wait_for_message(
        dm, sender=world.bot_id, predicate=lambda b: reference in b, timeout=60
    )
    assert "Reden: Geen plek, vastgelopen" in direct.body and direct.encrypted

    # 👍 from someone who is not a target: a private refusal, nothing changes
    await otto.react(coord, ping.event_id)
    otto_dm = await _direct_room(otto, world.bot_id, exclude=[coord])
    refusal = await otto.wait_for_message(
        otto_dm, sender=world.bot_id, predicate=lambda b: "niet verwerkt" in b, timeout=60
    )
    assert reference in refusal.body
    still = await pieter.send_and_wait(room, "!opschalingen", reply_from=world.bot_id)
    assert "aangevraagd" in still.body and "ontvangen" not in still.body

    # 👍 from Kim acknowledges and brings her into the case room
    await kim.react(coord, ping.event_id)
    invitation = await kim.wait_for_invitation(world.bot_id, exclude=[coord, dm], timeout=60)
    assert invitation.room_id == room
    acknowledged = await pieter.wait_for_message(
        room, sender=world.bot_id, predicate=lambda b: "ontvangen door" in b, timeout=60
    )
    assert reference in acknowledged.body
    await kim.join(room)
    await pieter.wait_for_join(room, kim.user_id, timeout=60)

    # the decision, taken in the case room, is posted there
    decided = await kim.send_and_wait(
        room, f'!besluit {reference} "Plaatsing via de wethouder"', reply_from=world.bot_id
    )
    assert "Plaatsing via de wethouder" in decided.body
    seen = await pieter.wait_for_message(
        room, sender=world.bot_id, predicate=lambda b: b.startswith("Besluit over"), timeout=60
    )
    assert reference in seen.body
    again = await kim.send_and_wait(room, f"!ontvangen {reference}", reply_from=world.bot_id)
    assert "al besloten" in again.body


async def test_short_timeout_moves_to_level_two_ack_in_dm_and_the_digest_appears_once(
    world: BotWorld,
) -> None:
    pieter = await world.partner("pieter", "politie")
    kim = await world.partner("kim", "avz", ("ketenmanager",))
    dirk = await world.partner("dirk", "gemeente-groningen", ("professional", "driehoek:groningen"))
    intake = await pieter.create_encrypted_room(name="intake")
    coord = await kim.create_encrypted_room(name="coordinatie")
    digest_at = (datetime.now(UTC) + timedelta(seconds=45)).astimezone(AMS)
    if digest_at.date() != (digest_at + timedelta(minutes=2)).date():
        pytest.skip("the digest and its check must fall on the same local day")
    levels = [
        # 0.002 working hours = 7.2 s: a reminder after 7 s, level 2 after 14 s
        LevelSettings(targets=TargetKind.KETENMANAGERS, ack_working_hours=0.002),
        LevelSettings(targets=TargetKind.DRIEHOEK, ack_working_hours=8),
    ]
    await world.start(
        cases=CasesSettings(intake_rooms=[intake], coordination_room=coord),
        calendar=ALWAYS_OPEN,
        escalations=EscalationSettings(
            inhoudelijk=levels, digest_time=digest_at.time().replace(microsecond=0)
        ),
    )
    await _coordination(world, kim, coord, dirk)
    room = await _case_room(world, pieter, intake)
    requested = await pieter.send_and_wait(
        room,
        '!opschalen inhoudelijk reden="Vastgelopen" besluit="Doorbraak"',
        reply_from=world.bot_id,
        timeout=60,
    )
    reference = requested.body.split(":", 1)[0].split()[-1]

    reminder = await kim.wait_for_message(
        coord, sender=world.bot_id, predicate=lambda b: "Herinnering" in b, timeout=60
    )
    assert reference in reminder.body and _mentions(reminder.formatted_body, kim.user_id)
    level2 = await dirk.wait_for_message(
        coord,
        sender=world.bot_id,
        predicate=lambda b: f"Opschaling {reference}" in b and "niveau 2" in b,
        timeout=60,
    )
    assert _mentions(level2.formatted_body, dirk.user_id)
    moved = await pieter.wait_for_message(
        room, sender=world.bot_id, predicate=lambda b: "niveau 2" in b, timeout=60
    )
    assert "driehoek Groningen" in moved.body
    listing = await pieter.send_and_wait(room, "!opschalingen", reply_from=world.bot_id)
    assert "niveau 2" in listing.body

    # Dirk acknowledges with 👍 on the bot's direct message (not in the coordination room)
    dm = await _direct_room(dirk, world.bot_id, exclude=[coord])
    direct = await dirk.wait_for_message(
        dm, sender=world.bot_id, predicate=lambda b: reference in b, timeout=60
    )
    await dirk.react(dm, direct.event_id)
    acknowledged = await pieter.wait_for_message(
        room, sender=world.bot_id, predicate=lambda b: "ontvangen door" in b, timeout=60
    )
    assert reference in acknowledged.body and "niveau 2" in acknowledged.body
    invitation = await dirk.wait_for_invitation(world.bot_id, exclude=[coord, dm], timeout=60)
    assert invitation.room_id == room

    digest = await kim.wait_for_message(
        coord, sender=world.bot_id, predicate=lambda b: b.startswith("Dagoverzicht"), timeout=120
    )
    assert reference in digest.body  # open escalations, oldest first
    await asyncio.sleep(10)
    digests = [m for m in kim.messages(coord) if m.body.startswith("Dagoverzicht")]
    assert len(digests) == 1
