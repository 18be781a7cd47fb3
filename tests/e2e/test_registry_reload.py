"""Partner registry changes without a restart: ``avz-bot partners reload`` on a running bot.

The bot runs as deployed (console script). Anouk holds regie in a case and owns an
open agreement; she is then removed from the partner file. After ``avz-bot partners
reload`` she is out of the case room (kicked), regie is vacant and the coordination
room hears about it and about her open agreement (not cancelled), and the audit trail
has it all. A member added in the same reload can use the bot at once; an invalid
file is refused in one line and changes nothing.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from avz_bot.testkit.partner import PartnerClient, PartnerFactory
from avz_bot.testkit.process import (
    BotProcess,
    derive_partners,
    member_entry,
    new_bot_account,
    operator_overrides,
)
from avz_bot.testkit.synapse import SynapseServer
from storage.audit_repositories import AuditRepository
from storage.db import Database, sqlite_url_for

pytestmark = pytest.mark.e2e

AMS = ZoneInfo("Europe/Amsterdam")


async def _membership(client: PartnerClient, room: str, user: str) -> str | None:
    for event in await client.room_state(room):
        if event.get("type") == "m.room.member" and event.get("state_key") == user:
            return str(event.get("content", {}).get("membership"))
    return None


async def test_reload_removes_a_member_from_case_rooms_and_admits_new_ones(
    synapse: SynapseServer, make_partner: PartnerFactory, tmp_path: Path
) -> None:
    bot_id, password = await new_bot_account(synapse)
    pieter = await make_partner("pieter")
    anouk = await make_partner("anouk")
    marloes = await make_partner("marloes")
    karin = await make_partner("karin")
    partners_file = tmp_path / "partners.toml"

    def write_registry(*entries: dict[str, object]) -> None:
        partners_file.write_text(derive_partners(list(entries)), encoding="utf-8")

    pieter_entry = member_entry(pieter.user_id, "politie", "Pieter")
    anouk_entry = member_entry(anouk.user_id, "ggz", "Anouk")
    marloes_entry = member_entry(
        marloes.user_id, "avz", "Marloes", ("professional", "ketenmanager")
    )
    write_registry(pieter_entry, anouk_entry, marloes_entry)

    intake = await pieter.create_encrypted_room(name="intake")
    coordination = await marloes.create_encrypted_room(name="coordinatie", invite=[bot_id])
    overrides = operator_overrides(
        synapse.url,
        synapse.server_name,
        bot_id,
        tmp_path,
        cases={"intake_rooms": [intake], "coordination_room": coordination},
    )
    bot = BotProcess(tmp_path, overrides, password)
    try:
        await bot.start()
        await marloes.wait_for_join(coordination, bot_id, timeout=60)
        await pieter.invite(intake, bot_id)
        await pieter.wait_for_join(intake, bot_id, timeout=60)
        opened = await pieter.send_and_wait(
            intake,
            '!casus nieuw "Registertest" gemeente=groningen type=jeugd partners=ggz',
            reply_from=bot_id,
            timeout=60,
        )
        assert "is geopend" in opened.body
        invitation = await pieter.wait_for_invitation(bot_id, exclude=[intake], timeout=60)
        room = invitation.room_id
        await pieter.join(room)
        await anouk.wait_for_invitation(bot_id, timeout=60)
        await anouk.join(room)
        await pieter.wait_for_join(room, anouk.user_id, timeout=60)
        claimed = await anouk.send_and_wait(room, "!regie claim", reply_from=bot_id, timeout=60)
        assert "regie" in claimed.body
        deadline = (datetime.now(UTC) + timedelta(days=3)).astimezone(AMS)
        made = await pieter.send_and_wait(
            room,
            f'!actie {anouk.user_id} "Zorgplan opstellen" deadline="{deadline:%Y-%m-%d} 12:00"',
            reply_from=bot_id,
            timeout=60,
        )
        assert "Afspraak #1" in made.body

        # An invalid file: refused in one line, nothing changes.
        partners_file.write_text("[[members]]\nmatrix_id = 'kapot'\n", encoding="utf-8")
        code, out = await bot.cli("partners", "reload")
        assert code == 2, out
        assert len(out.strip().splitlines()) == 1 and "partners" in out
        still = await anouk.send_and_wait(room, "!regie", reply_from=bot_id, timeout=60)
        assert "Anouk" in still.body

        # Anouk leaves the registry, Karin joins it.
        write_registry(pieter_entry, marloes_entry, member_entry(karin.user_id, "ggz", "Karin"))
        code, out = await bot.cli("partners", "reload")
        assert code == 0, out
        assert "applied" in out

        for _ in range(120):
            if await _membership(pieter, room, anouk.user_id) == "leave":
                break
            await asyncio.sleep(0.5)
        assert await _membership(pieter, room, anouk.user_id) == "leave"
        note = await pieter.wait_for_message(
            room,
            sender=bot_id,
            predicate=lambda body: "partnerregister" in body,
            timeout=60,
        )
        assert "Anouk" in note.body
        vacant = await pieter.send_and_wait(room, "!regie", reply_from=bot_id, timeout=60)
        assert "geen regiehouder" in vacant.body
        told = await marloes.wait_for_message(
            coordination,
            sender=bot_id,
            predicate=lambda body: "partnerregister" in body and "Zorgplan opstellen" in body,
            timeout=60,
        )
        assert "Anouk" in told.body and "#1" in told.body
        await marloes.wait_for_message(
            coordination,
            sender=bot_id,
            predicate=lambda body: "geen regiehouder meer" in body and "Anouk" in body,
            timeout=60,
        )
        listing = await pieter.send_and_wait(room, "!acties", reply_from=bot_id, timeout=60)
        assert "Zorgplan opstellen" in listing.body  # listed, not cancelled

        # Karin can use the bot at once.
        own = await karin.create_encrypted_room(name="karin", invite=[bot_id])
        await karin.wait_for_join(own, bot_id, timeout=60)
        who = await karin.send_and_wait(own, "!wie", reply_from=bot_id, timeout=60)
        assert "Karin" in who.body
    finally:
        code = await bot.stop()
    assert code == 0
    assert "Traceback" not in bot.log_text()
    database = Database(sqlite_url_for(tmp_path / "data" / "avz-bot.sqlite3"))
    try:
        async with database.session() as session:
            entries = await AuditRepository(session).list(limit=1000)
    finally:
        await database.dispose()
    actions = [(e.action, e.entity_id) for e in entries]
    assert ("registry.member_deregistered", anouk.user_id) in actions
    assert any(action == "registry.reloaded" for action, _ in actions)
    assert any(e.action == "case.member_removed" and e.actor == "bot" for e in entries)
    assert any(e.action == "case.regie_released" for e in entries)
