"""The agreement service asks the agreements' permission table, the case's gate first.

Real services and repositories on SQLite and PostgreSQL; the table itself is tested in
tests/unit/test_agreements_domain.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from avz_bot.clock import FakeClock
from avz_bot.domain.partners import Member, Organisation, OrgDomain, Role
from avz_bot.messages import Messages
from avz_bot.runtime.units import AppServices
from avz_bot.services.agreements.service import AgreementService
from avz_bot.services.cases import CaseService
from avz_bot.services.refusal import Refused
from avz_bot.settings import CasesSettings
from storage.case_repositories import CaseRepository
from storage.db import Database
from storage.registry_repositories import PartnerRepository

AMS = ZoneInfo("Europe/Amsterdam")
CASE_ROOM = "!case:avz.test"
POLITIE = Organisation("politie", "Politie", OrgDomain.VEILIGHEID)
GGZ = Organisation("ggz", "Lentis GGZ", OrgDomain.ZORG)
PRO = frozenset({Role.PROFESSIONAL})
PIETER = Member("@pieter:avz.test", "Pieter", POLITIE, PRO)  # regiehouder
ANOUK = Member("@anouk:avz.test", "Anouk", GGZ, PRO)
MARIT = Member("@marit:avz.test", "Marit", POLITIE, PRO)  # a plain member
KEES = Member("@kees:avz.test", "Kees", POLITIE, frozenset({Role.KETENMANAGER}))  # outside

NOT_A_MEMBER = "Je bent geen lid van deze casus."
STEERING_ONLY = "Dat mag alleen de regiehouder of een ketenmanager of de eigenaar van de afspraak."

Op = Callable[[AgreementService, Any], Awaitable[Any]]


class World:
    """A case with Pieter (regiehouder), Anouk and Marit; Kees is a ketenmanager outside it."""

    def __init__(self, database: Database, clock: FakeClock) -> None:
        self.database = database
        self.clock = clock
        self.services = AppServices(
            clock=clock,
            version="test",
            messages=Messages(),
            cases_settings=CasesSettings(coordination_room="!coord:avz.test"),
        )

    async def setup(self) -> None:
        now = self.clock.now()
        async with self.database.session() as session, session.begin():
            await PartnerRepository(session).sync([POLITIE, GGZ], [PIETER, ANOUK, MARIT, KEES])
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
            await cases.add_member(row.id, MARIT.matrix_id, "politie", now)
            await cases.claim_regie(row.id, PIETER.matrix_id, "politie", now)

    async def run(self, op: Op) -> Any:
        async with self.database.session() as session, session.begin():
            unit = self.services.bind(session)
            loaded = await unit[CaseService].require_case(CASE_ROOM)
            return await op(unit[AgreementService], loaded)

    async def refused(self, op: Op) -> str:
        with pytest.raises(Refused) as refusal:
            await self.run(op)
        return refusal.value.reply.plain


@pytest.fixture
async def world(database: Database) -> World:
    now = datetime(2026, 11, 23, 10, 0, tzinfo=AMS).astimezone(UTC)  # a Monday
    created = World(database, FakeClock(now))
    await created.setup()
    await created.run(lambda s, c: s.create(PIETER, c, ANOUK.matrix_id, "Een", "vrijdag"))
    await created.run(lambda s, c: s.create(PIETER, c, "ggz", "Twee", "vrijdag"))
    return created


async def test_a_non_member_learns_nothing_about_the_agreements(world: World) -> None:
    for number in (1, 99):  # one that exists, one that does not: the same reply
        assert await world.refused(lambda s, c, n=number: s.finish(KEES, c, n, "")) == (
            NOT_A_MEMBER
        )
    assert await world.refused(lambda s, c: s.list_open(KEES, c)) == NOT_A_MEMBER
    assert await world.refused(lambda s, c: s.create(KEES, c, "ggz", "x", "vrijdag")) == (
        NOT_A_MEMBER
    )


async def test_only_owner_regiehouder_or_ketenmanager_change_an_agreement(world: World) -> None:
    assert await world.refused(lambda s, c: s.finish(MARIT, c, 1, "")) == STEERING_ONLY
    assert await world.refused(lambda s, c: s.lapse(MARIT, c, 2, "x")) == STEERING_ONLY
    # A member may learn that an agreement does not exist (they can list them anyway).
    assert "geen open afspraak #99" in await world.refused(lambda s, c: s.finish(MARIT, c, 99, ""))
    # #2 belongs to GGZ: Anouk, of GGZ, owns it; Pieter holds regie.
    postponed = await world.run(lambda s, c: s.postpone(ANOUK, c, 2, "over 5 werkdagen", "wacht"))
    assert "verschoven" in postponed.plain
    done = await world.run(lambda s, c: s.finish(PIETER, c, 1, ""))
    assert "klaar" in done.plain


async def test_only_who_planned_a_reminder_may_cancel_it(world: World) -> None:
    await world.run(lambda s, c: s.remind(MARIT, CASE_ROOM, "morgen 14:00 bellen", True))
    refusal = await world.refused(lambda s, c: s.cancel_reminder(PIETER, CASE_ROOM, 1))
    assert "niet van jou" in refusal
    cancelled = await world.run(lambda s, c: s.cancel_reminder(MARIT, CASE_ROOM, 1))
    assert "geannuleerd" in cancelled.plain
