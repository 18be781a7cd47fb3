"""Agreements and their reminders, driven by a fake clock, on SQLite and PostgreSQL.

The real services, repositories and scheduler run against a real database; only the
clock is controlled, and "sending" is reading what the reminders put in the outbox.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from avz_bot.clock import FakeClock
from avz_bot.domain import cases as domain
from avz_bot.domain.partners import Member, Organisation, OrgDomain, Role
from avz_bot.messages import Messages
from avz_bot.runtime.units import AppServices
from avz_bot.scheduling import Scheduler
from avz_bot.services.agreements.jobs import ReminderJobs
from avz_bot.services.agreements.service import AgreementService
from avz_bot.services.cases import CaseService
from avz_bot.services.refusal import Refused
from avz_bot.settings_sections.cases import CasesSettings
from storage.case_repositories import CaseRepository
from storage.db import Database
from storage.outbox_repositories import LANE_BULK, OutboxRepository
from storage.registry_repositories import PartnerRepository

AMS = ZoneInfo("Europe/Amsterdam")
CASE_ROOM = "!case:avz.test"
COORDINATION = "!coord:avz.test"
POLITIE = Organisation("politie", "Politie", OrgDomain.VEILIGHEID)
GGZ = Organisation("ggz", "Lentis GGZ", OrgDomain.ZORG)
PIETER = Member("@pieter:avz.test", "Pieter", POLITIE, frozenset({Role.PROFESSIONAL}))
ANOUK = Member("@anouk:avz.test", "Anouk", GGZ, frozenset({Role.PROFESSIONAL}))


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMS).astimezone(UTC)


class World:
    """A case with Pieter (regiehouder) and Anouk, the services and a scheduler."""

    def __init__(self, database: Database, clock: FakeClock) -> None:
        self.database = database
        self.clock = clock
        self.services = AppServices(
            clock=clock,
            version="test",
            messages=Messages(),
            cases_settings=CasesSettings(coordination_room=COORDINATION),
        )
        self.scheduler = Scheduler(
            database, clock, ReminderJobs(self.services.bind).handlers(), worker_id="test"
        )
        self.seen = 0
        self.lanes: set[int] = set()

    async def setup(self) -> None:
        now = self.clock.now()
        async with self.database.session() as session, session.begin():
            await PartnerRepository(session).sync([POLITIE, GGZ], [PIETER, ANOUK])
            cases = CaseRepository(session)
            row = await cases.create(
                reference="AVZ-2026-0001",
                title="t",
                municipality="groningen",
                case_type="jeugd",
                created_by=PIETER.matrix_id,
                now=now,
            )
            await cases.set_room(row.id, CASE_ROOM)
            await cases.add_member(row.id, PIETER.matrix_id, "politie", now)
            await cases.add_member(row.id, ANOUK.matrix_id, "ggz", now)
            await cases.claim_regie(row.id, PIETER.matrix_id, "politie", now)

    async def agreements(
        self, action: Callable[[AgreementService, Any], Awaitable[Any]], as_member: Member = PIETER
    ) -> Any:
        async with self.database.session() as session, session.begin():
            unit = self.services.bind(session)
            loaded = await unit[CaseService].require_case(CASE_ROOM)
            return await action(unit[AgreementService], loaded)

    async def tick(self, instant: datetime) -> list[tuple[str, str]]:
        """Move the clock, run due jobs; return the new (room, body) messages."""
        self.clock.set(instant)
        await self.scheduler.run_due()
        async with self.database.session() as session:
            rows = await OutboxRepository(session).pending(limit=1000)
        new = rows[self.seen :]
        self.seen = len(rows)
        self.lanes = {row.lane for row in new}  # of the messages just returned
        return [(row.room_id, str(row.content["body"])) for row in new]


@pytest.fixture
async def world(database: Database) -> World:
    clock = FakeClock(local(2026, 11, 23, 10))  # Monday
    created = World(database, clock)
    await created.setup()
    return created


async def test_reminders_fire_at_the_policy_moments_and_climb(world: World) -> None:
    reply = await world.agreements(
        lambda s, c: s.create(ANOUK, c, "@anouk:avz.test", "Huisbezoek plannen", "vrijdag")
    )
    assert "Afspraak #1" in reply.plain
    assert "vrijdag 27 november 2026, 17:00" in reply.plain
    assert "einde werkdag" in reply.plain

    assert await world.tick(local(2026, 11, 25, 8, 29)) == []  # not yet
    before = await world.tick(local(2026, 11, 25, 8, 30))  # 2 working days before
    assert len(before) == 1
    assert before[0][0] == CASE_ROOM
    assert "Anouk (@anouk:avz.test): Herinnering: afspraak #1" in before[0][1]
    assert world.lanes == {LANE_BULK}
    assert await world.tick(local(2026, 11, 26, 12)) == []
    morning = await world.tick(local(2026, 11, 27, 9))
    assert "Vandaag is de deadline" in morning[0][1]
    assert await world.tick(local(2026, 11, 28, 12)) == []  # Saturday: nothing
    overdue = await world.tick(local(2026, 11, 30, 8, 30))  # Monday
    assert "1 werkdag(en) over de deadline" in overdue[0][1]
    regie = await world.tick(local(2026, 12, 1, 8, 30))
    assert len(regie) == 1
    assert "regiehouder is op de hoogte" in regie[0][1]
    assert "Pieter (@pieter:avz.test)" in regie[0][1]  # the regiehouder is mentioned
    await world.tick(local(2026, 12, 2, 8, 30))
    await world.tick(local(2026, 12, 3, 8, 30))
    coordination = await world.tick(local(2026, 12, 4, 8, 30))
    rooms = sorted(room for room, _ in coordination)
    assert rooms == sorted([CASE_ROOM, COORDINATION])
    note = next(body for room, body in coordination if room == COORDINATION)
    assert "5 werkdagen over de deadline" in note
    assert world.lanes == {LANE_BULK}


async def test_a_reminder_due_while_down_is_sent_once_marked_late(world: World) -> None:
    await world.agreements(lambda s, c: s.create(PIETER, c, "ggz", "Zorgplan", "vrijdag 12:00"))
    # The bot "was down" from Monday until Wednesday 10:00: the 08:30 reminder is late.
    late = await world.tick(local(2026, 11, 25, 10))
    assert len(late) == 1
    assert "Verlaat" in late[0][1]
    assert "Anouk (@anouk:avz.test)" in late[0][1]  # the organisation's member is mentioned
    # Running again (another sweep, a restart) sends nothing more.
    assert await world.tick(local(2026, 11, 25, 10, 5)) == []
    second = Scheduler(
        world.database,
        world.clock,
        ReminderJobs(world.services.bind).handlers(),
        worker_id="other",
    )
    assert await second.run_due() == 0


async def test_postponing_reschedules_and_is_kept(world: World) -> None:
    await world.agreements(lambda s, c: s.create(PIETER, c, "@anouk:avz.test", "Bellen", "morgen"))
    with pytest.raises(Refused) as refused:
        await world.agreements(lambda s, c: s.postpone(PIETER, c, 1, "gisteren", "x"))
    assert "verleden" in refused.value.reply.plain
    reply = await world.agreements(
        lambda s, c: s.postpone(PIETER, c, 1, "over 5 werkdagen", "wacht op rapport")
    )
    assert "verschoven van dinsdag 24 november 2026, 17:00" in reply.plain
    assert "maandag 30 november 2026" in reply.plain
    # No reminder for the old deadline on Tuesday; the first one is 2 days before the new.
    assert await world.tick(local(2026, 11, 24, 9)) == []
    assert await world.tick(local(2026, 11, 25, 12)) == []
    before = await world.tick(local(2026, 11, 26, 8, 30))
    assert "maandag 30 november 2026" in before[0][1]
    async with world.database.session() as session:
        from storage.agreement_repositories import AgreementRepository

        postponements = await AgreementRepository(session).postponements(1)
    assert [p.reason for p in postponements] == ["wacht op rapport"]


async def test_done_and_closing_cancel_reminders(world: World) -> None:
    await world.agreements(lambda s, c: s.create(PIETER, c, "@anouk:avz.test", "Een", "vrijdag"))
    await world.agreements(lambda s, c: s.create(PIETER, c, "@anouk:avz.test", "Twee", "vrijdag"))
    # Anouk is the owner of #1 and may finish it; nobody else but regie/ketenmanager.
    done = await world.agreements(lambda s, c: s.finish(ANOUK, c, 1, ""))
    assert "klaar" in done.plain

    async def close(service: AgreementService, loaded: Any) -> Any:
        unit_cases = service._cases  # the case service of the same unit of work
        outcome = domain.close(loaded.state, PIETER, "afgerond", unit_cases.now)
        return await unit_cases.apply(loaded, outcome, CASE_ROOM, "$close")

    closed = await world.agreements(close)
    assert "1 open afspraak" in closed.plain
    for day in (25, 26, 27, 30):
        assert await world.tick(local(2026, 11, day, 12)) == []


async def test_bad_dates_are_refused_with_examples_and_store_nothing(world: World) -> None:
    for expression in ("gisteren", "volgende week", "31 februari", "blabla"):
        with pytest.raises(Refused) as refused:
            await world.agreements(lambda s, c, e=expression: s.create(PIETER, c, "ggz", "x", e))
        assert "Voorbeelden" in refused.value.reply.plain
    listing = await world.agreements(lambda s, c: s.list_open(PIETER, c))
    assert "geen open afspraken" in listing.plain


async def test_general_reminder_for_the_sender(world: World) -> None:
    reply = await world.agreements(
        lambda s, c: s.remind(PIETER, CASE_ROOM, "morgen 9:00 bel Veilig Thuis terug", False)
    )
    assert "dinsdag 24 november 2026, 09:00" in reply.plain
    assert await world.tick(local(2026, 11, 24, 8, 59)) == []
    fired = await world.tick(local(2026, 11, 24, 9))
    assert fired == [(CASE_ROOM, "Pieter (@pieter:avz.test): Herinnering: bel Veilig Thuis terug")]
    assert world.lanes == {LANE_BULK}
    assert await world.tick(local(2026, 11, 24, 10)) == []
