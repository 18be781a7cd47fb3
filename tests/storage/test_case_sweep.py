"""The periodic case sweep (its job, with a fake clock): lapsed regie proposals, cases without
regie — background notifications, so in the bulk lane."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest

from avz_bot.clock import FakeClock
from avz_bot.domain import cases as domain
from avz_bot.domain.partners import Member, Organisation, OrgDomain, Role
from avz_bot.messages import Messages
from avz_bot.runtime.units import AppServices
from avz_bot.scheduling import Scheduler
from avz_bot.services.cases import CaseService
from avz_bot.services.cases.jobs import CASE_SWEEP_KEY, JOB_CASE_SWEEP, RoomJobs
from avz_bot.settings_sections.cases import CasesSettings
from storage.case_repositories import CaseRepository
from storage.db import Database
from storage.outbox_repositories import LANE_BULK, OutboxRepository
from storage.registry_repositories import PartnerRepository
from storage.schedule_repositories import JobRepository

AMS = ZoneInfo("Europe/Amsterdam")
ROOM = "!case:avz.test"
COORDINATION = "!coord:avz.test"
POLITIE = Organisation("politie", "Politie", OrgDomain.VEILIGHEID)
PIETER = Member("@pieter:avz.test", "Pieter", POLITIE, frozenset({Role.PROFESSIONAL}))
KAREL = Member("@karel:avz.test", "Karel", POLITIE, frozenset({Role.PROFESSIONAL}))


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=AMS).astimezone(UTC)


class Sweeper:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.clock = FakeClock(local(11, 23, 10))  # Monday
        self.services = AppServices(
            clock=self.clock,
            version="test",
            messages=Messages(),
            cases_settings=CasesSettings(
                coordination_room=COORDINATION,
                unregie_report_after_working_days=2,
                proposal_expiry_working_days=3,
            ),
        )
        # The sweep needs no homeserver (the other room jobs do).
        jobs = RoomJobs(cast(Any, None), self.services.cases_settings, self.services.bind)
        self.scheduler = Scheduler(database, self.clock, jobs.handlers(), worker_id="test")
        self.seen = 0

    async def setup(self) -> None:
        now = self.clock.now()
        async with self.database.session() as session, session.begin():
            await PartnerRepository(session).sync([POLITIE], [PIETER, KAREL])
            cases = CaseRepository(session)
            row = await cases.create(
                reference="AVZ-2026-0001",
                title="t",
                municipality="groningen",
                case_type="jeugd",
                created_by=PIETER.matrix_id,
                now=now,
            )
            await cases.set_room(row.id, ROOM)
            await cases.add_member(row.id, PIETER.matrix_id, "politie", now)
            await cases.add_member(row.id, KAREL.matrix_id, "politie", now)

    async def command(self, action: str) -> str:
        async with self.database.session() as session, session.begin():
            cases = self.services.bind(session)[CaseService]
            loaded = await cases.require_case(ROOM)
            now = cases.now
            if action == "claim":
                outcome = domain.regie_claim(loaded.state, PIETER, now, cases.expiry())
            else:
                outcome = domain.regie_transfer(
                    loaded.state, PIETER, KAREL.matrix_id, now, cases.expiry()
                )
            reply = await cases.apply(loaded, outcome, ROOM, f"${action}")
            return reply.plain

    async def sweep_at(self, instant: datetime) -> list[tuple[str, str]]:
        """Run the sweep job at ``instant``; the new (room, body) messages, all bulk."""
        self.clock.set(instant)
        async with self.database.session() as session, session.begin():
            await JobRepository(session).schedule(
                JOB_CASE_SWEEP, instant, {}, instant, dedupe_key=CASE_SWEEP_KEY
            )
        assert await self.scheduler.run_due() == 1
        async with self.database.session() as session:
            rows = await OutboxRepository(session).pending(limit=1000)
        new = rows[self.seen :]
        self.seen = len(rows)
        assert {r.lane for r in new} <= {LANE_BULK}
        return [(r.room_id, str(r.content["body"])) for r in new]


@pytest.fixture
async def sweeper(database: Database) -> Sweeper:
    created = Sweeper(database)
    await created.setup()
    return created


async def test_case_without_regie_is_reported_once_per_working_day(sweeper: Sweeper) -> None:
    assert await sweeper.sweep_at(local(11, 24, 10)) == []  # 1 working day: not yet
    first = await sweeper.sweep_at(local(11, 25, 9))  # 2 working days
    assert len(first) == 1
    assert first[0][0] == COORDINATION
    assert "2 werkdag(en) zonder regiehouder" in first[0][1]
    assert await sweeper.sweep_at(local(11, 25, 15)) == []  # once that day
    assert await sweeper.sweep_at(local(11, 26, 7)) == []  # before office hours
    assert len(await sweeper.sweep_at(local(11, 26, 9))) == 1  # next working day again
    assert await sweeper.sweep_at(local(11, 28, 11)) == []  # Saturday
    await sweeper.command("claim")
    assert await sweeper.sweep_at(local(11, 30, 9)) == []  # regie taken: no more reports


async def test_unanswered_proposal_lapses_after_working_days(sweeper: Sweeper) -> None:
    await sweeper.command("claim")
    proposed = await sweeper.command("transfer")
    # Monday 10:00 + 3 working days = Thursday 10:00.
    assert "donderdag 26 november 2026, 10:00" in proposed
    assert await sweeper.sweep_at(local(11, 26, 9, 59)) == []
    lapsed = await sweeper.sweep_at(local(11, 26, 10))
    assert lapsed and lapsed[0][0] == ROOM
    assert "verlopen" in lapsed[0][1]
    assert "blijft bij Pieter" in lapsed[0][1]
    async with sweeper.database.session() as session:
        case = await CaseRepository(session).by_room(ROOM)
        assert case is not None and case.regie_holder == PIETER.matrix_id
        assert await CaseRepository(session).open_proposal(case.id) is None
