"""Signals end to end in-process: the real core, dispatcher, services, repositories and
scheduler on SQLite and PostgreSQL, with a fake clock and a recording gateway.

The privacy assertions read the raw rows of every table: no identifier (BSN, name,
date of birth) may ever reach the database, the outbox or the audit trail.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.clock import FakeClock
from avz_bot.domain.inbound import IncomingCommand
from avz_bot.domain.partners import (
    Member,
    Organisation,
    OrgDomain,
    Role,
    ScopedRole,
    ScopedRoleKind,
)
from avz_bot.messages import Messages
from avz_bot.metrics import BotMetrics
from avz_bot.runtime.core import BotCore
from avz_bot.runtime.units import AppServices
from avz_bot.scheduling import Scheduler
from avz_bot.services.signals import PersonArgs, SignalService
from avz_bot.services.signals.jobs import SignalJobs
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.settings_sections.signals import SignalSettings
from commands.framework import Dispatcher
from commands.registry import build_registry
from storage.base import Base
from storage.case_repositories import CaseRepository
from storage.db import Database
from storage.outbox_repositories import LANE_BULK, OutboxRepository
from storage.registry_repositories import PartnerRepository

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
BSN = "123456782"
OTHER_BSN = "111222333"
NAME = "Jan de Vries"
POLITIE = Organisation("politie", "Politie Noord-Nederland", OrgDomain.VEILIGHEID)
GGZ = Organisation("ggz", "Lentis GGZ", OrgDomain.ZORG)
AVZ = Organisation("avz", "AVZ", OrgDomain.VEILIGHEID)
PIETER = Member("@pieter:avz.test", "Pieter", POLITIE, frozenset({Role.PROFESSIONAL}))
PAUL = Member("@paul:avz.test", "Paul", POLITIE, frozenset({Role.PROFESSIONAL}))
ANOUK = Member("@anouk:avz.test", "Anouk", GGZ, frozenset({Role.PROFESSIONAL}))
TINEKE = Member(
    "@tineke:avz.test",
    "Tineke",
    AVZ,
    frozenset({Role.PROFESSIONAL}),
    frozenset({ScopedRole(ScopedRoleKind.TVO, "groningen")}),
)
DM = {m.matrix_id: f"!dm-{m.display_name.lower()}:avz.test" for m in (PIETER, PAUL, ANOUK, TINEKE)}
TVO_ROOM = "!tvo:avz.test"
COORDINATION = "!coord:avz.test"
KEY = "k" * 40


@dataclass
class Recorder:
    """The gateway: records what would be sent and redacted."""

    sent: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    redacted: list[tuple[str, str]] = field(default_factory=list)

    async def send(self, room_id: str, content: dict[str, Any], txn_id: str) -> str:
        self.sent.append((room_id, content))
        return f"$sent{len(self.sent)}"

    async def redact(self, room_id: str, event_id: str, reason: str | None) -> None:
        self.redacted.append((room_id, event_id))

    def bodies(self, room_id: str) -> list[str]:
        return [str(c["body"]) for r, c in self.sent if r == room_id]


Race = Callable[[int, Callable[[AsyncSession], Awaitable[bool]]], Awaitable[list[bool]]]


@dataclass
class World:
    database: Database
    clock: FakeClock
    services: AppServices
    core: BotCore
    gateway: Recorder
    scheduler: Scheduler
    count: int = 0
    #: The lanes of what the last ``run_jobs`` queued.
    job_lanes: set[int] = field(default_factory=set)

    async def say(
        self,
        member: Member,
        room: str,
        body: str,
        members: int = 2,
        verified: bool | None = True,
    ) -> str:
        """Send ``body`` as ``member``; returns the bot's reply in that room (or "")."""
        self.count += 1
        before = len(self.gateway.sent)
        incoming = IncomingCommand(
            event_id=f"$e{self.count}",
            room_id=room,
            sender=member.matrix_id,
            body=body,
            sent_at=self.clock.now(),
            received_at=self.clock.now(),
            device_verified=verified,
            room_members=members,
        )
        # As the adapter does: commands go to ``message``, other text with a BSN-valid
        # number to the guard.
        if self.core.is_command(body):
            await self.core.message(incoming)
        elif self.core.may_hold_identifier(body):
            await self.core.screen(incoming)
        replies = [str(c["body"]) for r, c in self.gateway.sent[before:] if r == room]
        return replies[0] if replies else ""

    async def run_jobs(self) -> None:
        await self.scheduler.run_due()
        async with self.database.session() as session:
            self.job_lanes = {row.lane for row in await OutboxRepository(session).pending()}
        await self.core.flush_outbox()
        await self.core.bulk_idle()

    async def raw_dump(self) -> str:
        """Every row of every table, as text."""
        parts = []
        async with self.database.session() as session:
            for table in Base.metadata.sorted_tables:
                rows = (await session.execute(text(f'SELECT * FROM "{table.name}"'))).all()
                parts.extend(repr(tuple(row)) for row in rows)
        return "\n".join(parts)

    async def signal_rows(self) -> list[Any]:
        async with self.database.session() as session:
            return list(
                (
                    await session.execute(
                        text(
                            "SELECT reference, status, key_version, weak_key, pseudonym FROM signals ORDER BY id"
                        )
                    )
                ).all()
            )


@pytest.fixture
async def world(database: Database) -> AsyncIterator[World]:
    clock = FakeClock(START)
    messages = Messages()
    signal_settings = SignalSettings(keys={"v1": SecretStr(KEY)}, tvo_rooms={"groningen": TVO_ROOM})
    services = AppServices(
        clock=clock,
        version="test",
        messages=messages,
        cases_settings=CasesSettings(intake_rooms=[TVO_ROOM], coordination_room=COORDINATION),
        signal_settings=signal_settings,
    )
    core = BotCore(
        database=database,
        dispatcher=Dispatcher(build_registry(), messages, "!"),
        messages=messages,
        services=services,
        clock=clock,
        metrics=BotMetrics(),
        allowed_servers=["avz.test"],
        undecryptable_grace=timedelta(seconds=60),
    )
    gateway = Recorder()
    core.attach_gateway(gateway)
    scheduler = Scheduler(
        database, clock, SignalJobs(gateway, services.bind).handlers(), worker_id="test"
    )
    async with database.session() as session, session.begin():
        await PartnerRepository(session).sync([POLITIE, GGZ, AVZ], [PIETER, PAUL, ANOUK, TINEKE])
    yield World(database, clock, services, core, gateway, scheduler)


async def test_two_organisations_match_and_no_identifier_is_stored(world: World) -> None:
    first = await world.say(
        PIETER, DM[PIETER.matrix_id], f"!signaal bsn={BSN} categorie=overlast gemeente=groningen"
    )
    assert "SIG-2026-0001" in first and "overlast" in first and "Groningen" in first
    assert BSN not in first and "geen signaal van een andere organisatie" in first
    second = await world.say(
        ANOUK, DM[ANOUK.matrix_id], "!signaal bsn=1234.56.782 categorie=verslaving"
    )
    # The new signaller learns who else is involved...
    assert "Pieter (Politie Noord-Nederland)" in second and "@pieter:avz.test" in second
    # ...and the earlier one, in their own direct chat.
    notice = world.gateway.bodies(DM[PIETER.matrix_id])[-1]
    assert "Anouk (Lentis GGZ)" in notice and "verslaving" in notice and "SIG-2026-0002" in notice
    # The TVO room gets a pseudonymous agenda item.
    agenda_item = world.gateway.bodies(TVO_ROOM)[-1]
    assert "SIG-2026-0002" in agenda_item and "Lentis GGZ" in agenda_item
    assert "Anouk" not in agenda_item and BSN not in agenda_item
    # Nothing of the identifier anywhere in the database (outbox and audit included).
    dump = await world.raw_dump()
    assert BSN not in dump and "1234.56.782" not in dump
    rows = await world.signal_rows()
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("SIG-2026-0001", "actief", "v1", False),
        ("SIG-2026-0002", "actief", "v1", False),
    ]
    assert rows[0][4] == rows[1][4] and rows[0][4].startswith("v1:")
    assert "signal.matched" in dump


async def test_same_organisation_and_other_person_do_not_match(world: World) -> None:
    await world.say(PIETER, DM[PIETER.matrix_id], f"!signaal bsn={BSN} categorie=overlast")
    same_org = await world.say(PAUL, DM[PAUL.matrix_id], f"!signaal bsn={BSN} categorie=schulden")
    assert "geen signaal van een andere organisatie" in same_org and "Pieter" not in same_org
    other = await world.say(
        ANOUK, DM[ANOUK.matrix_id], f"!signaal bsn={OTHER_BSN} categorie=overlast"
    )
    assert "geen signaal van een andere organisatie" in other
    assert len(world.gateway.bodies(DM[PIETER.matrix_id])) == 1  # only its own reply


async def test_weak_key_is_normalised_marked_and_not_stored(world: World) -> None:
    await world.say(
        PIETER,
        DM[PIETER.matrix_id],
        '!signaal naam="Jan  de VRIES" geboortedatum=03-02-2001 categorie=overlast',
    )
    reply = await world.say(
        ANOUK,
        DM[ANOUK.matrix_id],
        '!signaal naam="jan de vriës" geboortedatum=3-2-2001 categorie="verward gedrag"',
    )
    assert "Pieter" in reply and "zwakker" in reply
    dump = (await world.raw_dump()).lower()
    assert "vries" not in dump and "2001" not in dump
    assert [r[3] for r in await world.signal_rows()] == [True, True]


@pytest.mark.parametrize(
    ("body", "members", "expected"),
    [
        ("!signaal bsn=123456789 categorie=overlast", 2, "elfproef"),
        ("!signaal bsn=12345 categorie=overlast", 2, "elfproef"),
        ("!signaal bsn=123456782 categorie=onbekend", 2, "Onbekende categorie"),
        ("!signaal bsn=123456782 categorie=overlast gemeente=amsterdam", 2, "Onbekende gemeente"),
        ('!signaal naam="Jan" categorie=overlast', 2, "geboortedatum"),
        ("!signaal overlast", 2, "bsn=… of naam="),
        ("!signaal bsn=123456782", 2, "Geef een categorie"),
        ("!signaal overlast", 4, "privégesprek"),
        ("!signaal bsn=123456782 categorie=overlast", 3, "privégesprek"),
    ],
)
async def test_bad_input_is_refused_and_nothing_stored(
    world: World, body: str, members: int, expected: str
) -> None:
    reply = await world.say(
        PIETER, "!group:avz.test" if members > 2 else DM[PIETER.matrix_id], body, members
    )
    assert expected in reply
    assert await world.signal_rows() == []


async def test_bsn_in_free_text_is_refused_everywhere(world: World) -> None:
    reply = await world.say(
        TINEKE, DM[TINEKE.matrix_id], "!herinner morgen 9:00 bel over 123456782"
    )
    assert "BSN" in reply and BSN not in reply
    dump = await world.raw_dump()
    assert BSN not in dump
    # A failing number (a phone number) is left alone.
    ok = await world.say(TINEKE, DM[TINEKE.matrix_id], "!herinner morgen 9:00 bel 0612345678")
    assert "BSN" not in ok


async def test_guard_redacts_in_case_rooms_and_asks_elsewhere(world: World) -> None:
    async with world.database.session() as session, session.begin():
        cases = CaseRepository(session)
        row = await cases.create(
            reference="AVZ-2026-0001",
            title="t",
            municipality="groningen",
            case_type="pga",
            created_by=PIETER.matrix_id,
            now=START,
        )
        await cases.set_room(row.id, "!case:avz.test")
    await world.say(PIETER, "!case:avz.test", "de client heeft bsn 123 456 782", members=3)
    notice = world.gateway.bodies("!case:avz.test")[-1]
    assert "verwijderd" in notice and "123" not in notice
    await world.run_jobs()
    assert world.gateway.redacted == [("!case:avz.test", f"$e{world.count}")]
    await world.say(PIETER, COORDINATION, "zie 111222333", members=5)
    ask = world.gateway.bodies(COORDINATION)[-1]
    assert "Verwijder het bericht" in ask and "111" not in ask
    # No BSN-like number passes unnoticed, but a phone number does.
    before = len(world.gateway.sent)
    await world.say(PIETER, COORDINATION, "bel 06-12345678", members=5)
    assert len(world.gateway.sent) == before
    # A direct chat is left alone (that is where signals are registered).
    await world.say(PIETER, DM[PIETER.matrix_id], "mijn nummer 123456782")
    assert len(world.gateway.sent) == before
    assert BSN not in await world.raw_dump()


async def test_a_command_stopped_by_the_guard_is_answered_as_not_carried_out(
    world: World,
) -> None:
    """Issue 25: the guard's answer to a command is a reply to that command (in its
    thread) and says the command was not carried out, and why."""
    async with world.database.session() as session, session.begin():
        cases = CaseRepository(session)
        row = await cases.create(
            reference="AVZ-2026-0001",
            title="t",
            municipality="groningen",
            case_type="pga",
            created_by=PIETER.matrix_id,
            now=START,
        )
        await cases.set_room(row.id, "!case:avz.test")
    for room, removal in (("!case:avz.test", "verwijderd"), (COORDINATION, "Verwijder je")):
        before = len(world.gateway.sent)
        body = f"!actie {PIETER.matrix_id} bel over 123456782 deadline=morgen"
        await world.say(PIETER, room, body, members=5)
        [(_, content)] = [(r, c) for r, c in world.gateway.sent[before:] if r == room]
        said = str(content["body"])
        assert said.startswith("Dit commando is niet uitgevoerd"), said
        assert "BSN" in said and removal in said and "123456782" not in said
        reply_to = content["m.relates_to"]["m.in_reply_to"]["event_id"]
        assert reply_to == f"$e{world.count}"


async def test_retention_expires_archives_and_deletes(world: World) -> None:
    await world.say(PIETER, DM[PIETER.matrix_id], f"!signaal bsn={BSN} categorie=overlast")
    world.clock.advance(timedelta(days=365 * 2 + 1))
    await world.run_jobs()
    assert [r[1] for r in await world.signal_rows()] == ["verlopen"]
    # An expired signal no longer matches.
    reply = await world.say(ANOUK, DM[ANOUK.matrix_id], f"!signaal bsn={BSN} categorie=overlast")
    assert "Pieter" not in reply
    world.clock.advance(timedelta(days=365 * 5 + 2))
    await world.run_jobs()
    references = [r[0] for r in await world.signal_rows()]
    assert "SIG-2026-0001" not in references
    dump = await world.raw_dump()
    assert "signal.expired" in dump and "signal.deleted" in dump


async def test_withdraw_stops_matching(world: World) -> None:
    await world.say(PIETER, DM[PIETER.matrix_id], f"!signaal bsn={BSN} categorie=overlast")
    refused = await world.say(
        ANOUK, DM[ANOUK.matrix_id], "!signaal intrekken SIG-2026-0001 reden=onterecht"
    )
    assert "Ik ken geen signaal" in refused
    done = await world.say(
        PIETER, DM[PIETER.matrix_id], "!signaal intrekken SIG-2026-0001 reden=onterecht"
    )
    assert "ingetrokken" in done
    reply = await world.say(ANOUK, DM[ANOUK.matrix_id], f"!signaal bsn={BSN} categorie=overlast")
    assert "Pieter" not in reply


async def test_tvo_agenda_and_case_decision(world: World) -> None:
    await world.say(
        PIETER, DM[PIETER.matrix_id], f"!signaal bsn={BSN} categorie=overlast gemeente=groningen"
    )
    await world.say(
        ANOUK, DM[ANOUK.matrix_id], f"!signaal bsn={BSN} categorie=verslaving gemeente=groningen"
    )
    refused = await world.say(PIETER, TVO_ROOM, "!tvo agenda", members=4)
    assert "TVO-lid" in refused
    agenda = await world.say(TINEKE, TVO_ROOM, "!tvo agenda", members=4)
    assert agenda.index("SIG-2026-0001") < agenda.index("SIG-2026-0002")
    assert "samenloop met SIG-2026-0002" in agenda and "Pieter" not in agenda
    decided = await world.say(
        TINEKE, TVO_ROOM, "!tvo besluit SIG-2026-0002 casus reden=samenloop", members=4
    )
    assert "AVZ-2026-0001" in decided and "Pieter" in decided and "Anouk" in decided
    async with world.database.session() as session:
        case = await CaseRepository(session).by_reference("AVZ-2026-0001")
        assert case is not None
        members = {m.matrix_id for m in await CaseRepository(session).list_members(case.id)}
        linked = (await session.execute(text("SELECT count(*) FROM case_persons"))).scalar_one()
    assert members == {TINEKE.matrix_id, PIETER.matrix_id, ANOUK.matrix_id}
    assert linked == 1
    empty = await world.say(TINEKE, TVO_ROOM, "!tvo agenda", members=4)
    assert "Er wacht niets" in empty
    again = await world.say(
        TINEKE, TVO_ROOM, "!tvo besluit SIG-2026-0001 casus reden=nogmaals", members=4
    )
    assert "staat niet (meer) op de agenda" in again


async def test_monitor_relists_after_working_days(world: World) -> None:
    await world.say(
        PIETER, DM[PIETER.matrix_id], f"!signaal bsn={BSN} categorie=overlast gemeente=groningen"
    )
    await world.say(
        TINEKE, TVO_ROOM, "!tvo besluit SIG-2026-0001 monitoren reden=afwachten", members=4
    )
    assert "Er wacht niets" in await world.say(TINEKE, TVO_ROOM, "!tvo agenda", members=4)
    world.clock.advance(timedelta(days=40))
    await world.run_jobs()
    assert "terug op de agenda" in world.gateway.bodies(TVO_ROOM)[-1]
    assert world.job_lanes == {LANE_BULK}  # a scheduled notice
    assert "SIG-2026-0001" in await world.say(TINEKE, TVO_ROOM, "!tvo agenda", members=4)


async def test_my_plate_lists_own_signals(world: World) -> None:
    await world.say(PIETER, DM[PIETER.matrix_id], f"!signaal bsn={BSN} categorie=overlast")
    plate = await world.say(PIETER, DM[PIETER.matrix_id], "!mijn")
    assert "Jouw signalen" in plate and "SIG-2026-0001" in plate and "30-11-2028" in plate


async def test_case_signals_card_timeline_and_coordination(world: World) -> None:
    async with world.database.session() as session, session.begin():
        cases = CaseRepository(session)
        row = await cases.create(
            reference="AVZ-2026-0001",
            title="t",
            municipality="groningen",
            case_type="pga",
            created_by=PIETER.matrix_id,
            now=START,
        )
        await cases.set_room(row.id, "!case:avz.test")
        await cases.add_member(row.id, PIETER.matrix_id, "politie", START)
        await cases.add_member(row.id, ANOUK.matrix_id, "ggz", START)
    room = "!case:avz.test"
    outsider = await world.say(PAUL, room, "!signaal overlast buren klagen", members=3)
    assert "leden van de casus" in outsider
    recorded = await world.say(ANOUK, room, "!signaal overlast ernst=hoog buren klagen", members=3)
    assert "Signaal 1 vastgelegd in AVZ-2026-0001" in recorded and "geen regiehouder" in recorded
    coordination = world.gateway.bodies(COORDINATION)[-1]
    assert "AVZ-2026-0001" in coordination and "buren" not in coordination
    await world.say(PIETER, room, "!regie claim", members=3)
    second = await world.say(ANOUK, room, "!signaal verslaving drinkt weer", members=3)
    assert "@pieter:avz.test" in second
    listed = await world.say(PIETER, room, "!signalen", members=3)
    assert listed.index("2. verslaving") < listed.index("1. overlast") and "buren klagen" in listed
    assert "Signalen: 2" in await world.say(PIETER, room, "!casus", members=3)
    timeline = await world.say(PIETER, room, "!tijdlijn", members=3)
    assert "signaal 1 vastgelegd: overlast (ernst hoog)" in timeline
    unknown = await world.say(ANOUK, room, "!signaal onzin iets", members=3)
    assert "Onbekende categorie" in unknown


async def test_simultaneous_signals_on_one_person_match_once(world: World, race: Race) -> None:
    """Two transactions that both hold a connection register the same person at once
    (a barrier releases them together): neither may miss the other."""
    members = iter([PIETER, ANOUK])

    async def register(session: AsyncSession) -> bool:
        member = next(members)
        signals = world.services.bind(session)[SignalService]
        await signals.register(
            member,
            DM[member.matrix_id],
            2,
            PersonArgs(bsn=BSN),
            "overlast",
            "",
            f"$race-{member.display_name}",
        )
        return True

    assert await race(2, register) == [True, True]
    async with world.database.session() as session:
        matches = (await session.execute(text("SELECT count(*) FROM signal_matches"))).scalar_one()
    assert len(await world.signal_rows()) == 2
    assert matches == 1  # the later one saw the earlier one, whichever it was


async def test_case_person_match_goes_to_regiehouder_or_coordination(world: World) -> None:
    async with world.database.session() as session, session.begin():
        cases = CaseRepository(session)
        row = await cases.create(
            reference="AVZ-2026-0001",
            title="t",
            municipality="groningen",
            case_type="pga",
            created_by=PIETER.matrix_id,
            now=START,
        )
        await cases.set_room(row.id, "!case:avz.test")
        await cases.add_member(row.id, PIETER.matrix_id, "politie", START)
        await cases.claim_regie(row.id, PIETER.matrix_id, "politie", START)
        await cases.add_member(row.id, PAUL.matrix_id, "politie", START)
    refused = await world.say(PAUL, DM[PAUL.matrix_id], f"!casus persoon AVZ-2026-0001 bsn={BSN}")
    assert "de regiehouder" in refused
    # To a non-member the case does not exist, wherever they ask.
    unknown = await world.say(ANOUK, DM[ANOUK.matrix_id], f"!casus persoon AVZ-2026-0099 bsn={BSN}")
    assert unknown == "Ik ken geen casus AVZ-2026-0099."
    person = 'naam="Jan de Vries" geboortedatum=03-02-2001'
    for room, members in ((DM[ANOUK.matrix_id], 2), (TVO_ROOM, 5)):  # also in the wrong place
        reply = await world.say(ANOUK, room, f"!casus persoon AVZ-2026-0001 {person}", members)
        assert reply == "Ik ken geen casus AVZ-2026-0001."
    linked = await world.say(
        PIETER, DM[PIETER.matrix_id], f"!casus persoon AVZ-2026-0001 bsn={BSN}"
    )
    assert "gekoppeld" in linked
    own = await world.say(PIETER, DM[PIETER.matrix_id], f"!signaal bsn={BSN} categorie=overlast")
    assert "jouw casus AVZ-2026-0001" in own
    told = len(world.gateway.bodies(DM[PIETER.matrix_id]))
    reply = await world.say(ANOUK, DM[ANOUK.matrix_id], f"!signaal bsn={BSN} categorie=schulden")
    assert "AVZ-2026-0001" in reply and "@pieter:avz.test" in reply
    notices = world.gateway.bodies(DM[PIETER.matrix_id])[told:]
    assert any("centrale persoon van casus AVZ-2026-0001" in n for n in notices), notices
    async with world.database.session() as session, session.begin():
        await CaseRepository(session).release_regie(row.id, PIETER.matrix_id, START)
    reply = await world.say(TINEKE, DM[TINEKE.matrix_id], f"!signaal bsn={BSN} categorie=schulden")
    assert "geen regiehouder" in reply
    note = world.gateway.bodies(COORDINATION)[-1]
    assert "AVZ-2026-0001" in note and "Tineke" not in note
    assert BSN not in await world.raw_dump()


async def test_changes_from_unsigned_devices_are_marked_in_the_audit(world: World) -> None:
    await world.say(
        PIETER, DM[PIETER.matrix_id], f"!signaal bsn={BSN} categorie=overlast", verified=False
    )
    async with world.database.session() as session:
        details = (
            await session.execute(
                text("SELECT details FROM audit_log WHERE action = 'signal.registered'")
            )
        ).scalar_one()
    assert '"device_cross_signed":false' in details
