"""Case rooms and invitations under a homeserver rate limit (``services/cases/throttle``).

A fake gateway answers ``M_LIMIT_EXCEEDED`` with a ``retry_after`` a given number of
times. The job must be re-armed for later (one job, no attempt lost), the requester
told once in the room where the case was opened, and the room created exactly once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from avz_bot.clock import FakeClock
from avz_bot.domain.partners import Member, Organisation, OrgDomain, Role
from avz_bot.formatting import text
from avz_bot.messages import Messages
from avz_bot.ports import SendError
from avz_bot.runtime.units import AppServices
from avz_bot.scheduling import Scheduler
from avz_bot.services.cases import JOB_CREATE_ROOM, JOB_INVITE
from avz_bot.services.cases.jobs import RoomJobs
from avz_bot.services.direct import JOB_OPEN_DIRECT, DirectJobs
from avz_bot.settings_sections.cases import CasesSettings
from storage.case_repositories import CaseRepository
from storage.db import Database
from storage.direct_repositories import DirectChatRepository
from storage.outbox_repositories import OutboxRepository
from storage.registry_repositories import PartnerRepository
from storage.schedule_repositories import JOB_DONE, JOB_PENDING, JobRepository

INTAKE = "!intake:avz.test"
POLITIE = Organisation("politie", "Politie", OrgDomain.VEILIGHEID)
PIETER = Member("@pieter:avz.test", "Pieter", POLITIE, frozenset({Role.PROFESSIONAL}))
START = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


class ThrottlingGateway:
    """Rate-limits the first ``throttled`` calls of each kind, then succeeds."""

    def __init__(self, throttled: int, retry_after: float = 60.0) -> None:
        self.throttled = throttled
        self.retry_after = retry_after
        self.created: list[str | None] = []
        self.invited: list[tuple[str, str]] = []
        self.refused = 0

    def _maybe_throttle(self) -> None:
        if self.refused < self.throttled:
            self.refused += 1
            raise SendError("M_LIMIT_EXCEEDED", permanent=False, retry_after=self.retry_after)

    def find_room(self, name: str) -> str | None:
        del name
        return None

    async def create_private_room(self, *, name: str | None, **_: Any) -> str:
        self._maybe_throttle()
        self.created.append(name)
        return f"!room{len(self.created)}:avz.test"

    async def invite_user(self, room_id: str, user_id: str) -> None:
        self._maybe_throttle()
        self.invited.append((room_id, user_id))


class World:
    def __init__(self, database: Database, gateway: ThrottlingGateway) -> None:
        self.database = database
        self.clock = FakeClock(START)
        self.gateway = gateway
        self.services = AppServices(
            clock=self.clock,
            version="test",
            messages=Messages(),
            cases_settings=CasesSettings(intake_rooms=[INTAKE]),
        )
        handlers = RoomJobs(gateway, self.services.cases_settings, self.services.bind).handlers()
        self.scheduler = Scheduler(database, self.clock, handlers, worker_id="test")

    async def case(self, number: int) -> int:
        now = self.clock.now()
        async with self.database.session() as session, session.begin():
            await PartnerRepository(session).sync([POLITIE], [PIETER])
            row = await CaseRepository(session).create(
                reference=f"AVZ-2026-{number:04d}",
                title="t",
                municipality="groningen",
                case_type="jeugd",
                created_by=PIETER.matrix_id,
                now=now,
            )
            await JobRepository(session).schedule(
                JOB_CREATE_ROOM,
                now,
                {"case_id": row.id, "intake_room": INTAKE, "requested_by": PIETER.matrix_id},
                now,
                dedupe_key=f"case:{row.id}:room",
            )
            return row.id

    async def messages(self) -> list[tuple[str, str]]:
        async with self.database.session() as session:
            rows = await OutboxRepository(session).pending(limit=100)
        return [(r.room_id, str(r.content["body"])) for r in rows]

    async def job(self, key: str) -> Any:
        async with self.database.session() as session:
            return await JobRepository(session).by_key(key)


@pytest.fixture
def gateway() -> ThrottlingGateway:
    return ThrottlingGateway(throttled=2)


async def test_a_throttled_room_follows_once_and_the_requester_is_told_once(
    database: Database, gateway: ThrottlingGateway
) -> None:
    world = World(database, gateway)
    case_id = await world.case(1)
    key = f"case:{case_id}:room"

    assert await world.scheduler.run_due() == 1  # throttled: re-armed, requester told
    job = await world.job(key)
    assert job.status == JOB_PENDING and job.attempts == 0
    assert job.due_at == START + timedelta(seconds=61)
    [(room, body)] = await world.messages()
    assert room == INTAKE
    assert body.startswith("Pieter: de homeserver remt het aanmaken van kamers af.")
    assert "AVZ-2026-0001" in body and "naar verwachting rond" in body

    world.clock.set(job.due_at)
    assert await world.scheduler.run_due() == 1  # throttled again: no second notice
    assert len(await world.messages()) == 1
    job = await world.job(key)
    world.clock.set(job.due_at)
    assert await world.scheduler.run_due() == 1  # now it goes through
    assert gateway.created == ["AVZ-2026-0001"]
    assert (await world.job(key)).status == JOB_DONE
    async with database.session() as session:
        case = await CaseRepository(session).get(case_id)
    assert case is not None and case.room_id == "!room1:avz.test"
    world.clock.set(job.due_at + timedelta(hours=1))
    assert await world.scheduler.run_due() == 0  # nothing left to do twice


async def test_waiting_rooms_queue_behind_each_other(database: Database) -> None:
    world = World(database, ThrottlingGateway(throttled=3, retry_after=60))
    ids = [await world.case(n) for n in (1, 2, 3)]
    assert await world.scheduler.run_due() == 3
    dues = [(await world.job(f"case:{case_id}:room")).due_at for case_id in ids]
    # One slot per retry_after: the second waits behind the first, the third behind both.
    assert dues == [START + timedelta(seconds=60 * n + 1) for n in (1, 2, 3)]
    assert len(await world.messages()) == 3  # each requester told once


async def test_a_throttled_invitation_follows_once_and_the_room_is_told(
    database: Database,
) -> None:
    world = World(database, ThrottlingGateway(throttled=1, retry_after=30))
    async with database.session() as session, session.begin():
        await PartnerRepository(session).sync([POLITIE], [PIETER])
        await JobRepository(session).schedule(
            JOB_INVITE,
            START,
            {"room_id": "!case:avz.test", "user_id": PIETER.matrix_id},
            START,
            dedupe_key="invite:x:@pieter:avz.test",
        )
    assert await world.scheduler.run_due() == 1
    [(room, body)] = await world.messages()
    assert room == "!case:avz.test" and "uitnodiging voor Pieter volgt vanzelf" in body
    job = await world.job("invite:x:@pieter:avz.test")
    world.clock.set(job.due_at)
    assert await world.scheduler.run_due() == 1
    assert world.gateway.invited == [("!case:avz.test", PIETER.matrix_id)]
    assert len(await world.messages()) == 1


async def test_a_throttled_direct_chat_follows_once(database: Database) -> None:
    gateway = ThrottlingGateway(throttled=1, retry_after=20)
    clock = FakeClock(START)
    services = AppServices(clock=clock, version="test", messages=Messages())
    async with database.session() as session, session.begin():
        await services.direct_messages(session, 0).send(PIETER.matrix_id, "k", text("hallo"))
    handlers = DirectJobs(gateway, federate=False).handlers()
    scheduler = Scheduler(database, clock, handlers, worker_id="test")
    assert await scheduler.run_due() == 1  # throttled: re-armed, not failed
    async with database.session() as session:
        [job] = await JobRepository(session).due(START + timedelta(hours=1))
    assert job.kind == JOB_OPEN_DIRECT and job.attempts == 0
    assert job.due_at == START + timedelta(seconds=21)
    clock.set(job.due_at)
    assert await scheduler.run_due() == 1
    assert gateway.created == [None]  # one direct chat (clients name it)
    async with database.session() as session:
        chat = await DirectChatRepository(session).get(PIETER.matrix_id)
    assert chat is not None and chat.room_id == "!room1:avz.test"
