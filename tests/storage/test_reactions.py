"""Reactions through the core: routed by the bot's event id, exactly once, on both backends.

The core runs with the real dispatcher, services and database; the gateway is a fake that
hands out event ids, so the reaction target of the escalation ping is recorded exactly as
the outbox records it in production.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from avz_bot.clock import FakeClock
from avz_bot.domain.inbound import IncomingCommand, IncomingReaction
from avz_bot.domain.partners import Member, Organisation, OrgDomain, Role
from avz_bot.messages import Messages
from avz_bot.metrics import BotMetrics
from avz_bot.runtime.core import BotCore
from avz_bot.runtime.units import AppServices
from avz_bot.services.escalations import REACTION_KIND
from avz_bot.services.escalations.jobs import EscalationJobs
from avz_bot.settings_sections.cases import CasesSettings
from commands.framework import Dispatcher
from commands.registry import build_registry
from storage.audit_repositories import AuditRepository
from storage.case_repositories import CaseRepository
from storage.db import Database
from storage.direct_repositories import DirectChatRepository
from storage.escalation_repositories import EscalationRepository
from storage.outbox_repositories import ReactionTargetRepository
from storage.registry_repositories import PartnerRepository
from storage.runtime_repositories import RoomRepository

AMS = ZoneInfo("Europe/Amsterdam")
CASE_ROOM = "!case:avz.test"
COORDINATION = "!coord:avz.test"
POLITIE = Organisation("politie", "Politie", OrgDomain.VEILIGHEID)
AVZ = Organisation("avz", "AVZ", OrgDomain.VEILIGHEID)
PIETER = Member("@pieter:avz.test", "Pieter", POLITIE, frozenset({Role.PROFESSIONAL}))
KIM = Member("@kim:avz.test", "Kim", AVZ, frozenset({Role.KETENMANAGER}))
OTTO = Member("@otto:avz.test", "Otto", POLITIE, frozenset({Role.PROFESSIONAL}))
START = datetime(2026, 11, 23, 10, tzinfo=AMS).astimezone(UTC)


class FakeGateway:
    """Sends nothing; gives every message an event id and remembers it."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any], str]] = []

    async def send(self, room_id: str, content: dict[str, Any], txn_id: str) -> str:
        self.sent.append((room_id, content, f"$sent-{len(self.sent)}"))
        return self.sent[-1][2]


@pytest.fixture
async def core(database: Database) -> tuple[BotCore, FakeGateway]:
    clock = FakeClock(START)
    messages = Messages()
    services = AppServices(
        clock=clock,
        version="test",
        messages=messages,
        cases_settings=CasesSettings(coordination_room=COORDINATION),
    )
    bot = BotCore(
        database=database,
        dispatcher=Dispatcher(build_registry(), messages, "!"),
        messages=messages,
        services=services,
        clock=clock,
        metrics=BotMetrics(),
        allowed_servers=["avz.test"],
        undecryptable_grace=timedelta(seconds=30),
    )
    gateway = FakeGateway()
    bot.attach_gateway(gateway)
    bot.on_reaction(REACTION_KIND, EscalationJobs.reaction)
    async with database.session() as session, session.begin():
        await PartnerRepository(session).sync([POLITIE, AVZ], [PIETER, KIM, OTTO])
        cases = CaseRepository(session)
        row = await cases.create(
            reference="AVZ-2026-0001",
            title="t",
            municipality="groningen",
            case_type="jeugd",
            created_by=PIETER.matrix_id,
            now=START - timedelta(days=1),
        )
        await cases.set_room(row.id, CASE_ROOM)
        await cases.add_member(row.id, PIETER.matrix_id, "politie", START)
        for room in (CASE_ROOM, COORDINATION):
            await RoomRepository(session).record_join(room, START - timedelta(days=1), True)
    return bot, gateway


def _command(event_id: str, sender: str, body: str, room: str = CASE_ROOM) -> IncomingCommand:
    return IncomingCommand(
        event_id=event_id,
        room_id=room,
        sender=sender,
        body=body,
        sent_at=START,
        received_at=START,
        device_verified=True,
    )


def _reaction(event_id: str, sender: str, on: str, key: str = "👍") -> IncomingReaction:
    return IncomingReaction(
        event_id=event_id,
        room_id=COORDINATION,
        sender=sender,
        relates_to=on,
        key=key,
        sent_at=START,
        received_at=START,
    )


async def _status(database: Database) -> tuple[str, str | None]:
    async with database.session() as session:
        row = await EscalationRepository(session).by_reference("ESC-2026-1")
    assert row is not None
    return row.status, row.acknowledged_by


async def test_a_thumbs_up_on_the_ping_acknowledges_once(
    core: tuple[BotCore, FakeGateway], database: Database
) -> None:
    bot, gateway = core
    await bot.message(
        _command("$req", PIETER.matrix_id, '!opschalen inhoudelijk reden="x" besluit="y"')
    )
    pings = [(room, eid) for room, c, eid in gateway.sent if room == COORDINATION]
    assert len(pings) == 1
    ping_event = pings[0][1]
    async with database.session() as session:
        target = await ReactionTargetRepository(session).by_event(ping_event)
    assert target is not None and target.kind == REACTION_KIND

    # someone else's 👍 and another emoji change nothing
    await bot.reaction(_reaction("$r-otto", OTTO.matrix_id, ping_event))
    await bot.reaction(_reaction("$r-heart", KIM.matrix_id, ping_event, "❤️"))
    assert await _status(database) == ("aangevraagd", None)
    # a reaction on something that is not a bot message is not even claimed
    await bot.reaction(_reaction("$r-other", KIM.matrix_id, "$not-ours"))

    await bot.reaction(_reaction("$r-kim", KIM.matrix_id, ping_event))
    assert await _status(database) == ("ontvangen", KIM.matrix_id)
    sent_after_ack = len(gateway.sent)
    case_lines = [c["body"] for room, c, _ in gateway.sent if room == CASE_ROOM]
    assert any("ontvangen door Kim" in body for body in case_lines)

    # the same reaction event again (a replayed sync): nothing happens twice
    await bot.reaction(_reaction("$r-kim", KIM.matrix_id, ping_event))
    assert len(gateway.sent) == sent_after_ack
    # withdrawing the reaction is not handled at all; the command releases
    await bot.message(_command("$rel", KIM.matrix_id, "!vrijgeven ESC-2026-1", COORDINATION))
    assert await _status(database) == ("aangevraagd", None)


async def test_command_refusals_are_clear_and_change_nothing(
    core: tuple[BotCore, FakeGateway], database: Database
) -> None:
    bot, gateway = core

    async def reply(event_id: str, sender: str, body: str, room: str = CASE_ROOM) -> str:
        await bot.message(_command(event_id, sender, body, room))
        return str(gateway.sent[-1][1]["body"])

    assert "is partner=<organisatie> verplicht" in await reply(
        "$a", PIETER.matrix_id, '!opschalen samenwerking reden="x" besluit="y"'
    )
    assert "Onbekende organisatie" in await reply(
        "$b", PIETER.matrix_id, '!opschalen samenwerking reden="x" besluit="y" partner=nope'
    )
    assert "Onbekende route" in await reply(
        "$c", PIETER.matrix_id, '!opschalen later reden="x" besluit="y"'
    )
    assert "Alleen leden van de casus" in await reply(
        "$d", OTTO.matrix_id, '!opschalen inhoudelijk reden="x" besluit="y"'
    )
    assert "geen opschalingskenmerk" in await reply("$e", KIM.matrix_id, "!ontvangen 12")
    assert "bestaat niet" in await reply("$f", KIM.matrix_id, "!ontvangen ESC-2026-9")
    async with database.session() as session:
        assert await EscalationRepository(session).count_open() == 0
    # a real one, then the refusals on it
    await reply("$g", PIETER.matrix_id, '!opschalen inhoudelijk reden="x" besluit="y"')
    # Otto has no part in it (not in the case): to him it does not exist.
    assert "ESC-2026-1 bestaat niet" in await reply("$h", OTTO.matrix_id, "!ontvangen ESC-2026-1")
    assert "huidige niveau" in await reply("$h2", PIETER.matrix_id, "!ontvangen ESC-2026-1")
    assert "nog niet ontvangen" in await reply("$i", KIM.matrix_id, '!besluit ESC-2026-1 "z"')
    await reply("$j", KIM.matrix_id, "!ontvangen ESC-2026-1", COORDINATION)
    assert "al ontvangen door Kim" in await reply(
        "$k", KIM.matrix_id, "!ontvangen ESC-2026-1", COORDINATION
    )
    assert "laatste niveau" not in await reply(
        "$l", PIETER.matrix_id, "!opschaling intrekken ESC-2026-1 reden=opgelost"
    )
    assert await _status(database) == ("ingetrokken", None)
    assert "al ingetrokken" in await reply("$m", KIM.matrix_id, '!besluit ESC-2026-1 "z"')


async def test_strict_trust_policy_does_not_act_on_reactions(
    core: tuple[BotCore, FakeGateway], database: Database
) -> None:
    bot, gateway = core
    bot._dispatcher.refuse_unsigned_devices = True  # the strict [trust] policy
    await bot.message(
        _command("$req", PIETER.matrix_id, '!opschalen inhoudelijk reden="x" besluit="y"')
    )
    ping_event = next(eid for room, _, eid in gateway.sent if room == COORDINATION)
    await bot.reaction(_reaction("$r-kim", KIM.matrix_id, ping_event))
    assert await _status(database) == ("aangevraagd", None)
    async with database.session() as session:
        # Kim has no direct chat yet: the note waits for it (see avz_bot.services.direct).
        notes = await DirectChatRepository(session).take_pending(KIM.matrix_id)
    assert any("niet verwerkt" in n.content["body"] for n in notes)
    # the command still works (from a cross-signed device)
    await bot.message(_command("$ack", KIM.matrix_id, "!ontvangen ESC-2026-1", COORDINATION))
    assert await _status(database) == ("ontvangen", KIM.matrix_id)


async def test_acknowledgement_by_reaction_is_marked_in_the_audit_trail(
    core: tuple[BotCore, FakeGateway], database: Database
) -> None:
    bot, gateway = core
    await bot.message(
        _command("$req", PIETER.matrix_id, '!opschalen inhoudelijk reden="x" besluit="y"')
    )
    ping_event = next(eid for room, _, eid in gateway.sent if room == COORDINATION)
    await bot.reaction(_reaction("$r-kim", KIM.matrix_id, ping_event))
    async with database.session() as session:
        entries = await AuditRepository(session).list(
            entity_type="case", entity_id="AVZ-2026-0001", limit=20
        )
    (ack,) = [e for e in entries if e.action == "escalation.acknowledged"]
    assert ack.actor == KIM.matrix_id
    assert ack.details is not None and ack.details["via_reaction"] is True
    assert ack.details["device_cross_signed"] is None  # reactions come from no known device


async def test_a_reaction_that_shows_an_escalation_is_in_the_access_log(
    core: tuple[BotCore, FakeGateway], database: Database
) -> None:
    """Issue 22: a 👍 that acknowledges an escalation shows it to the reader, like the
    command would: one more access log entry, for the reaction, naming the escalation."""
    bot, gateway = core
    await bot.message(
        _command("$req", PIETER.matrix_id, '!opschalen inhoudelijk reden="x" besluit="y"')
    )
    ping_event = next(eid for room, _, eid in gateway.sent if room == COORDINATION)
    count = text("SELECT count(*) FROM access_log")
    async with database.session() as session:
        before = (await session.execute(count)).scalar_one()
    await bot.reaction(_reaction("$r-kim", KIM.matrix_id, ping_event))
    async with database.session() as session:
        assert (await session.execute(count)).scalar_one() == before + 1
        reader, command, seq = (
            await session.execute(
                text("SELECT reader, command, id FROM access_log ORDER BY seq DESC LIMIT 1")
            )
        ).one()
        shown = (
            await session.execute(
                text("SELECT kind, reference FROM access_log_shown WHERE entry_id = :e"),
                {"e": seq},
            )
        ).all()
    assert (reader, command) == (KIM.matrix_id, "reaction.escalation")
    assert [tuple(s) for s in shown] == [("escalation", "ESC-2026-1")]
