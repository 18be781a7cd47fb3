"""The trust policy: devices not cross-signed by their owner, through the real homeserver."""

from __future__ import annotations

import asyncio

import pytest

from avz_bot.settings import TrustSettings
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.testkit.partner import PartnerClient
from avz_bot.testkit.world import BotWorld
from storage.audit_repositories import AuditRepository
from storage.db import Database

pytestmark = pytest.mark.e2e

OPEN = '!casus nieuw "Vertrouwen" gemeente=groningen type=jeugd'


async def _intake(world: BotWorld, owner: PartnerClient, other: PartnerClient) -> str:
    return await owner.create_encrypted_room(name="intake", invite=[other.user_id])


async def _join_bot(world: BotWorld, owner: PartnerClient, other: PartnerClient, room: str) -> None:
    await other.join(room)
    await owner.invite(room, world.bot_id)
    await owner.wait_for_join(room, world.bot_id, timeout=60)


async def _opened_by(world: BotWorld) -> list[tuple[str, dict[str, object]]]:
    database = Database(world.settings().database_url)
    try:
        async with database.session() as session:
            entries = await AuditRepository(session).list(limit=500)
    finally:
        await database.dispose()
    return [(e.actor, dict(e.details or {})) for e in entries if e.action == "case.case_opened"]


async def test_strict_policy_refuses_changes_from_unsigned_devices(world: BotWorld) -> None:
    pieter = await world.partner("pieter", "politie")  # never sets up cross-signing
    anouk = await world.partner("anouk", "ggz")
    await anouk.cross_sign_own_device()
    intake = await _intake(world, pieter, anouk)
    await world.start(
        cases=CasesSettings(intake_rooms=[intake]),
        trust=TrustSettings(unsigned_devices="refuse"),
    )
    await _join_bot(world, pieter, anouk, intake)

    refused = await pieter.send_and_wait(intake, OPEN, reply_from=world.bot_id, timeout=60)
    assert "cross-signing" in refused.body
    assert "niets gewijzigd" in refused.body
    # Reading is still allowed from the unsigned device.
    pong = await pieter.send_and_wait(intake, "!ping", reply_from=world.bot_id)
    assert "pong" in pong.body
    # The same command from a cross-signed device is carried out.
    opened = await anouk.send_and_wait(intake, OPEN, reply_from=world.bot_id, timeout=60)
    assert "is geopend" in opened.body
    assert await _opened_by(world) == [(anouk.user_id, {"municipality": "groningen"})]


async def test_default_policy_accepts_and_marks_unsigned_devices(world: BotWorld) -> None:
    pieter = await world.partner("pieter", "politie")
    anouk = await world.partner("anouk", "ggz")
    await anouk.cross_sign_own_device()
    intake = await _intake(world, pieter, anouk)
    await world.start(cases=CasesSettings(intake_rooms=[intake]))
    await _join_bot(world, pieter, anouk, intake)

    for who in (pieter, anouk):
        reply = await who.send_and_wait(intake, OPEN, reply_from=world.bot_id, timeout=60)
        assert "is geopend" in reply.body
    opened = dict(await _opened_by(world))
    assert opened[pieter.user_id]["device_cross_signed"] is False  # marked in the trail
    assert "device_cross_signed" not in opened[anouk.user_id]


async def test_strict_key_sharing_leaves_unsigned_devices_unable_to_read(
    world: BotWorld,
) -> None:
    pieter = await world.partner("pieter", "politie")
    anouk = await world.partner("anouk", "ggz")
    await anouk.cross_sign_own_device()
    room = await _intake(world, anouk, pieter)
    await world.start(trust=TrustSettings(share_keys_with="cross_signed"))
    await _join_bot(world, anouk, pieter, room)

    sent = await pieter.send(room, "!ping")
    # Anouk (cross-signed) reads the bot's answer; Pieter's unsigned device got no key.
    answer = await anouk.wait_for_message(room, sender=world.bot_id, in_reply_to=sent, timeout=60)
    assert "pong" in answer.body
    for _ in range(100):  # until Pieter's client has the (encrypted) answer too
        if pieter.undecryptable_count(room) >= 1:
            break
        await asyncio.sleep(0.1)
    assert pieter.undecryptable_count(room) >= 1
    assert not [m for m in pieter.messages(room) if m.sender == world.bot_id]
