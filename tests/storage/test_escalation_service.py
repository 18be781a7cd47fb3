"""Escalations driven by a fake clock, on SQLite and PostgreSQL.

The real services, repositories and scheduler run against a real database; only the clock
is controlled, "sending" is reading the outbox, and the homeserver is a fake room gateway
(for the direct chats the bot creates).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.clock import FakeClock
from avz_bot.domain.escalations import EscalationAction, RouteKind
from avz_bot.domain.partners import (
    Member,
    Organisation,
    OrgDomain,
    Role,
    ScopedRole,
    ScopedRoleKind,
)
from avz_bot.lists import content_size
from avz_bot.messages import Messages
from avz_bot.runtime.units import AppServices, UnitServices
from avz_bot.scheduling import Scheduler
from avz_bot.services.agreements.service import AgreementService
from avz_bot.services.area import DigestSection, digest_providers
from avz_bot.services.cases.jobs import RoomJobs
from avz_bot.services.direct import DirectJobs
from avz_bot.services.escalations import EscalationService
from avz_bot.services.escalations.jobs import EscalationJobs
from avz_bot.services.operations.digest import DigestJobs
from avz_bot.services.refusal import Refused
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.settings_sections.limits import LimitSettings
from commands.areas import service_areas
from storage.audit_repositories import AuditRepository
from storage.case_repositories import CaseRepository
from storage.db import Database
from storage.escalation_repositories import EscalationRepository
from storage.outbox_repositories import LANE_BULK, LANE_INTERACTIVE, OutboxRepository
from storage.registry_repositories import PartnerRepository
from storage.schedule_repositories import JobRow

#: Every area's digest sections, as the bot runs them.
DEFAULT_SECTIONS = digest_providers(service_areas())

AMS = ZoneInfo("Europe/Amsterdam")
Race = Callable[[int, Callable[[AsyncSession], Awaitable[bool]]], Awaitable[list[bool]]]
CASE_ROOM = "!case:avz.test"
COORDINATION = "!coord:avz.test"
POLITIE = Organisation("politie", "Politie", OrgDomain.VEILIGHEID)
AVZ = Organisation("avz", "AVZ", OrgDomain.VEILIGHEID)
GEMEENTE = Organisation("gemeente-groningen", "Gemeente Groningen", OrgDomain.GEMEENTE)
PIETER = Member("@pieter:avz.test", "Pieter", POLITIE, frozenset({Role.PROFESSIONAL}))
KIM = Member("@kim:avz.test", "Kim", AVZ, frozenset({Role.KETENMANAGER}))
DIRK = Member(
    "@dirk:avz.test",
    "Dirk",
    GEMEENTE,
    frozenset({Role.PROFESSIONAL}),
    frozenset({ScopedRole(ScopedRoleKind.DRIEHOEK, "groningen")}),
)
OTTO = Member("@otto:avz.test", "Otto", POLITIE, frozenset({Role.PROFESSIONAL}))


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMS).astimezone(UTC)


class FakeRooms:
    """The homeserver's room management, as far as direct chats need it."""

    def __init__(self) -> None:
        self.created: list[list[str]] = []
        self.invited: list[tuple[str, str]] = []

    def find_room(self, name: str) -> str | None:
        return None

    async def create_private_room(self, *, invite: list[str], **_: Any) -> str:
        self.created.append(invite)
        return f"!dm-{invite[0].strip('@').split(':')[0]}:avz.test"

    async def invite_user(self, room_id: str, user_id: str) -> None:
        self.invited.append((room_id, user_id))

    async def kick_user(self, room_id: str, user_id: str, reason: str | None) -> None:
        return None


class World:
    """A case of Pieter in Groningen; Kim is ketenmanager, Dirk in the driehoek."""

    def __init__(self, database: Database, clock: FakeClock) -> None:
        self.database = database
        self.clock = clock
        self.services = AppServices(
            clock=clock,
            version="test",
            messages=Messages(),
            cases_settings=CasesSettings(coordination_room=COORDINATION),
        )
        self.rooms = FakeRooms()
        self.digest = DigestJobs(self.services.bind, self.services.calendar, COORDINATION)
        self.scheduler = Scheduler(
            database,
            clock,
            {
                **EscalationJobs(self.services.bind).handlers(),
                **DirectJobs(self.rooms, federate=False).handlers(),
                **self.digest.handlers(),
                **RoomJobs(self.rooms, self.services.cases_settings, self.services.bind).handlers(),
            },
            worker_id="test",
        )
        self.seen = 0
        self.lanes: set[int] = set()

    async def setup(self) -> None:
        now = self.clock.now()
        async with self.database.session() as session, session.begin():
            await PartnerRepository(session).sync(
                [POLITIE, AVZ, GEMEENTE], [PIETER, KIM, DIRK, OTTO]
            )
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
            await cases.add_member(row.id, OTTO.matrix_id, "politie", now)

    async def unit(self, action: Any) -> Any:
        async with self.database.session() as session, session.begin():
            unit: UnitServices = self.services.bind(session)
            return await action(unit)

    async def request(self, urgent: bool = False) -> str:
        reply = await self.unit(
            lambda u: u[EscalationService].request(
                PIETER,
                CASE_ROOM,
                route=RouteKind.INHOUDELIJK,
                reason="Geen passende plek; vastgelopen",
                decision_asked="Doorbraak plaatsing",
                partner=None,
                urgent=urgent,
                key="$request",
            )
        )
        return str(reply.plain)

    async def act(
        self, member: Member, action: EscalationAction, words: str = "", key: str = "$act"
    ) -> str:
        reply = await self.unit(
            lambda u: u[EscalationService].act(member, "ESC-2026-1", action, CASE_ROOM, key, words)
        )
        return str(reply.plain)

    async def status(self) -> tuple[str, int, str | None]:
        async with self.database.session() as session:
            row = await EscalationRepository(session).by_reference("ESC-2026-1")
        assert row is not None
        return row.status, row.current_level, row.acknowledged_by

    async def tick(self, instant: datetime) -> list[tuple[str, str]]:
        """Move the clock, run due jobs; return the new (room, body) messages."""
        self.clock.set(instant)
        await self.scheduler.run_due()
        await self.accept_direct_chats()
        return await self.new_messages()

    async def accept_direct_chats(self) -> None:
        """Every invited person joins the direct chat the bot made (as clients do)."""
        async with self.database.session() as session, session.begin():
            for (user,) in self.rooms.created:
                room = f"!dm-{user.strip('@').split(':')[0]}:avz.test"
                await self.services.direct_messages(session).joined(room, user)

    async def new_messages(self) -> list[tuple[str, str]]:
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


def _in(room: str, messages: list[tuple[str, str]]) -> list[str]:
    return [body for r, body in messages if r == room]


async def test_request_pings_coordination_without_case_content_and_dms_targets(
    world: World,
) -> None:
    reply = await world.request()
    assert "ESC-2026-1" in reply and "Niveau 1: ketenmanagers" in reply
    assert "Doorbraak plaatsing" in reply  # the case room sees the question
    messages = await world.tick(world.clock.now())  # the direct-chat job runs
    (ping,) = _in(COORDINATION, messages)
    assert "Kim (@kim:avz.test)" in ping and "Groningen" in ping and "Politie" in ping
    assert "vastgelopen" not in ping and "Doorbraak" not in ping  # no case content
    (direct,) = _in("!dm-kim:avz.test", messages)
    assert "Reden: Geen passende plek; vastgelopen" in direct
    assert world.lanes == {LANE_INTERACTIVE}  # caused by a person's request, held DM too
    assert world.rooms.created == [[KIM.matrix_id]]
    # the timeline records the request
    async with world.database.session() as session:
        entries = await AuditRepository(session).list(
            entity_type="case", entity_id="AVZ-2026-0001", limit=10
        )
    assert "escalation.requested" in [e.action for e in entries]


async def test_a_long_direct_ping_is_shortened_like_every_message(world: World) -> None:
    # The escalation DM (it carries the reason) once bypassed the size guard.
    world.services.limits = LimitSettings(reply_max_bytes=2_000)
    reason = "\n".join(f"Regel {n}: geen passende plek gevonden" for n in range(60))
    await world.unit(
        lambda u: u[EscalationService].request(
            PIETER,
            CASE_ROOM,
            route=RouteKind.INHOUDELIJK,
            reason=reason,
            decision_asked="Doorbraak plaatsing",
            partner=None,
            urgent=False,
            key="$request",
        )
    )
    await world.tick(world.clock.now())  # the chat is made and joined: the DM is released
    async with world.database.session() as session:
        rows = await OutboxRepository(session).pending(limit=1000)
    (direct,) = [row.content for row in rows if row.room_id == "!dm-kim:avz.test"]
    assert direct["body"].startswith("Opschaling ESC-2026-1 (inhoudelijk)")
    assert content_size(direct) <= 2_000
    assert direct["body"].endswith(Messages().t("list.cut"))
    assert "Regel 59" not in direct["body"]


async def test_timeout_reminds_then_moves_to_the_next_level(world: World) -> None:
    await world.request()
    await world.tick(world.clock.now())
    # 4 working hours: Monday 14:00 the reminder
    assert await world.tick(local(2026, 11, 23, 13, 59)) == []
    reminder = await world.tick(local(2026, 11, 23, 14, 0))
    assert any("Herinnering" in body for body in _in(COORDINATION, reminder))
    assert "!dm-kim:avz.test" in {room for room, _ in reminder}
    assert world.lanes == {LANE_BULK}  # the clock's messages are background notifications
    assert await world.status() == ("aangevraagd", 1, None)
    # 4 more working hours: 14:00–17:30 Monday and 08:30–09:00 Tuesday
    assert _in(COORDINATION, await world.tick(local(2026, 11, 24, 8, 59))) == []
    moved = await world.tick(local(2026, 11, 24, 9, 0))
    assert await world.status() == ("aangevraagd", 2, None)
    (case_line,) = _in(CASE_ROOM, moved)
    assert "niveau 2 (driehoek Groningen)" in case_line
    (ping,) = _in(COORDINATION, moved)
    assert "Dirk (@dirk:avz.test)" in ping and "niveau 2" in ping
    assert world.lanes == {LANE_BULK}
    # Kim is no longer a target; Dirk is
    with pytest.raises(Refused):
        await world.act(KIM, EscalationAction.ACKNOWLEDGE)
    await world.act(DIRK, EscalationAction.ACKNOWLEDGE)
    assert await world.status() == ("ontvangen", 2, DIRK.matrix_id)


async def test_decision_timeout_reminds_the_acknowledger_then_the_coordination_room(
    world: World,
) -> None:
    await world.request()
    reply = await world.act(KIM, EscalationAction.ACKNOWLEDGE)
    assert "ontvangen door Kim" in reply and "Kim is aan de casus toegevoegd" in reply
    async with world.database.session() as session:
        member = await CaseRepository(session).get_member(1, KIM.matrix_id)
    assert member is not None  # acknowledging added Kim to the case
    await world.tick(world.clock.now())
    assert (CASE_ROOM, KIM.matrix_id) in world.rooms.invited  # ... and invited her
    # decision: 3 working days at the same office time -> Thursday 10:00
    assert _in(CASE_ROOM, await world.tick(local(2026, 11, 26, 9, 59))) == []
    reminder = await world.tick(local(2026, 11, 26, 10, 0))
    (line,) = _in(CASE_ROOM, reminder)
    assert "Kim (@kim:avz.test)" in line and "nog geen besluit" in line
    assert world.lanes == {LANE_BULK}
    overdue = await world.tick(local(2026, 12, 1, 10, 0))
    assert any("nog geen besluit genomen" in body for body in _in(COORDINATION, overdue))
    assert world.lanes == {LANE_BULK}
    decided = await world.act(KIM, EscalationAction.DECIDE, "Plaatsing via wethouder")
    assert "Besluit over ESC-2026-1 door Kim: Plaatsing via wethouder" in decided
    assert (await world.status())[0] == "besloten"
    with pytest.raises(Refused) as refused:
        await world.act(KIM, EscalationAction.RELEASE)
    assert "al besloten" in refused.value.reply.plain


async def test_timeout_during_downtime_fires_once_late_and_says_so(world: World) -> None:
    await world.request()
    await world.tick(world.clock.now())
    # the bot was down from Monday 11:00 until Wednesday 12:00
    after = await world.tick(local(2026, 11, 25, 12, 0))
    coordination = _in(COORDINATION, after)
    reminders = [b for b in coordination if "Herinnering" in b]
    assert len(reminders) == 1 and "later dan gepland" in reminders[0]
    (moved,) = _in(CASE_ROOM, after)
    assert "niveau 2" in moved and "later dan gepland" in moved
    assert (await world.status())[1] == 2
    # nothing fires twice
    again = await world.tick(local(2026, 11, 25, 12, 1))
    assert [b for b in _in(COORDINATION, again) if "ESC-2026-1" in b and "niveau 1" in b] == []


async def test_release_restarts_the_clock(world: World) -> None:
    await world.request()
    await world.act(KIM, EscalationAction.ACKNOWLEDGE)
    world.clock.set(local(2026, 11, 23, 15))
    await world.act(KIM, EscalationAction.RELEASE, key="$release")
    assert await world.status() == ("aangevraagd", 1, None)
    # the new ack clock counts 4 working hours from Monday 15:00 (2.5 h on Monday,
    # 1.5 h from 08:30 on Tuesday): Tuesday 10:00, not Monday 14:00 as before
    early = await world.tick(local(2026, 11, 24, 9, 59))
    assert not any("Herinnering" in body for body in _in(COORDINATION, early))
    reminder = await world.tick(local(2026, 11, 24, 10, 0))
    assert any("Herinnering" in body for body in _in(COORDINATION, reminder))


async def test_others_cannot_acknowledge_and_nothing_changes(world: World) -> None:
    await world.request()
    with pytest.raises(Refused) as refused:
        await world.act(OTTO, EscalationAction.ACKNOWLEDGE)
    assert "geadresseerden van het huidige niveau" in refused.value.reply.plain
    assert await world.status() == ("aangevraagd", 1, None)


async def test_an_outsider_learns_nothing_about_an_escalation(world: World) -> None:
    """Involvement first: someone with no part in the escalation or its case gets the
    reply for an unknown reference, open or closed, whatever the command."""
    eva = Member("@eva:avz.test", "Eva", POLITIE, frozenset({Role.PROFESSIONAL}))

    async def refusal(member: Member, action: EscalationAction, reference: str) -> str:
        with pytest.raises(Refused) as refused:
            await world.unit(
                lambda u: u[EscalationService].act(
                    member, reference, action, CASE_ROOM, "$x", "reden"
                )
            )
        return str(refused.value.reply.plain)

    await world.request()
    unknown = await refusal(eva, EscalationAction.ACKNOWLEDGE, "ESC-2026-99")
    assert unknown == "Opschaling ESC-2026-99 bestaat niet."
    expected = unknown.replace("ESC-2026-99", "ESC-2026-1")
    for action in EscalationAction:
        assert await refusal(eva, action, "esc-2026-1") == expected
    await world.act(PIETER, EscalationAction.WITHDRAW, "opgelost")
    for action in EscalationAction:
        assert await refusal(eva, action, "ESC-2026-1") == expected
    # Whoever is involved still hears why: a member of the case is told it is closed.
    closed = await refusal(OTTO, EscalationAction.DEESCALATE, "ESC-2026-1")
    assert closed == "Deze opschaling is al ingetrokken; er verandert niets."


async def test_reaction_from_target_acknowledges_and_from_others_is_refused_privately(
    world: World,
) -> None:
    await world.request()
    await world.tick(world.clock.now())
    await world.unit(lambda u: u[EscalationService].reaction(OTTO, "1", "$r1", "👍"))
    assert await world.status() == ("aangevraagd", 1, None)
    refused = await world.tick(world.clock.now())
    (note,) = _in("!dm-otto:avz.test", refused)
    assert "niet verwerkt" in note
    await world.unit(lambda u: u[EscalationService].reaction(KIM, "1", "$r2", "👍🏽"))
    assert await world.status() == ("ontvangen", 1, KIM.matrix_id)
    posted = await world.new_messages()
    assert any("ontvangen door Kim" in body for body in _in(CASE_ROOM, posted))


async def test_plate_and_overview(world: World) -> None:
    await world.request()
    heading, lines = await world.unit(lambda u: u[EscalationService].plate_section(KIM))
    assert heading == "Opschalingen die op jou wachten:"
    assert lines == ["ESC-2026-1: ontvangen bevestigen (!ontvangen ESC-2026-1)"]
    await world.act(KIM, EscalationAction.ACKNOWLEDGE)
    _, lines = await world.unit(lambda u: u[EscalationService].plate_section(KIM))
    assert lines == ['ESC-2026-1: besluit nemen (!besluit ESC-2026-1 "…")']
    overview = await world.unit(lambda u: u[EscalationService].overview(KIM, COORDINATION))
    assert "ESC-2026-1 · ontvangen · niveau 1 (ketenmanagers)" in overview.plain
    # !mijn carries the section
    plate = await world.unit(lambda u: u[AgreementService].my_plate(KIM))
    assert "Opschalingen die op jou wachten:" in plate.plain
    assert "ESC-2026-1: besluit nemen" in plate.plain


async def test_digest_once_and_nothing_when_nothing(world: World) -> None:
    async with world.database.session() as session, session.begin():
        await world.digest.arm(session, world.clock.now())
    # Tuesday 08:30: the case has no regie, so there is something to say
    first = await world.tick(local(2026, 11, 24, 8, 30))
    (digest,) = _in(COORDINATION, first)
    assert digest.startswith("Dagoverzicht 24-11-2026")
    assert world.lanes == {LANE_BULK}
    assert "AVZ-2026-0001" in digest
    assert _in(COORDINATION, await world.tick(local(2026, 11, 24, 12))) == []
    # nothing to report: no message
    async with world.database.session() as session, session.begin():
        await CaseRepository(session).claim_regie(1, PIETER.matrix_id, "politie", world.clock.now())
    assert _in(COORDINATION, await world.tick(local(2026, 11, 25, 8, 30))) == []


async def test_samenwerking_goes_to_the_wethouder_when_forwarded(world: World) -> None:
    wethouder = Member(
        "@wendy:avz.test",
        "Wendy",
        GEMEENTE,
        frozenset({Role.PROFESSIONAL}),
        frozenset({ScopedRole(ScopedRoleKind.WETHOUDER, "groningen")}),
    )
    async with world.database.session() as session, session.begin():
        await PartnerRepository(session).sync(
            [POLITIE, AVZ, GEMEENTE], [PIETER, KIM, DIRK, OTTO, wethouder]
        )
    reply = await world.unit(
        lambda u: u[EscalationService].request(
            PIETER,
            CASE_ROOM,
            route=RouteKind.SAMENWERKING,
            reason="Afspraken over woonruimte niet nagekomen",
            decision_asked="Aanspreken afdeling",
            partner="gemeente-groningen",
            urgent=False,
            key="$samen",
        )
    )
    assert "(samenwerking)" in reply.plain
    await world.tick(world.clock.now())
    forwarded = await world.act(KIM, EscalationAction.FORWARD, "bestuurlijk niveau nodig")
    assert "doorgezet naar niveau 2 (bestuurder/wethouder (groningen))" in forwarded
    pings = _in(COORDINATION, await world.tick(world.clock.now()))
    assert any("Wendy (@wendy:avz.test)" in body and "niveau 2" in body for body in pings)
    with pytest.raises(Refused) as refused:
        await world.act(wethouder, EscalationAction.FORWARD, "verder")
    assert "laatste niveau" in refused.value.reply.plain
    closed = await world.act(wethouder, EscalationAction.DEESCALATE, "terug naar ketenoverleg")
    assert "afgeschaald door Wendy" in closed
    assert (await world.status())[0] == "afgeschaald"


async def test_urgent_clock_runs_at_night_in_real_time(world: World) -> None:
    world.clock.set(local(2026, 11, 28, 22, 0))  # Saturday night
    await world.request(urgent=True)
    await world.tick(world.clock.now())
    assert _in(COORDINATION, await world.tick(local(2026, 11, 28, 22, 59))) == []
    reminder = _in(COORDINATION, await world.tick(local(2026, 11, 28, 23, 0)))
    assert any("Herinnering" in body and "URGENT" in body for body in reminder)
    moved = await world.tick(local(2026, 11, 29, 0, 0))  # another 60 minutes: level 2
    assert any("niveau 2" in body for body in _in(CASE_ROOM, moved))


async def test_concurrent_acknowledgements_have_one_winner(
    world: World, database: Database, race: Race
) -> None:
    kees = Member("@kees:avz.test", "Kees", AVZ, frozenset({Role.KETENMANAGER}))
    async with database.session() as session, session.begin():
        await PartnerRepository(session).sync(
            [POLITIE, AVZ, GEMEENTE], [PIETER, KIM, DIRK, OTTO, kees]
        )
    await world.request()
    people = iter([KIM, kees])
    refusals: list[str] = []

    async def acknowledge(session: AsyncSession) -> bool:
        member = next(people)
        unit = world.services.bind(session)
        try:
            await unit[EscalationService].act(
                member, "ESC-2026-1", EscalationAction.ACKNOWLEDGE, CASE_ROOM, member.matrix_id
            )
        except Refused as exc:
            refusals.append(exc.reply.plain)
            return False
        return True

    results = await race(2, acknowledge)
    assert sorted(results) == [False, True]
    status, _, by = await world.status()
    assert status == "ontvangen" and by in {KIM.matrix_id, kees.matrix_id}
    assert all("al ontvangen door" in text for text in refusals)


async def test_digest_sections_are_bounded_and_other_areas_can_add_one(world: World) -> None:
    async with world.database.session() as session, session.begin():
        cases = CaseRepository(session)
        for number in (2, 3):
            await cases.create(
                reference=f"AVZ-2026-000{number}",
                title="t",
                municipality="oldambt",
                case_type="jeugd",
                created_by=PIETER.matrix_id,
                now=world.clock.now(),
            )

    async def conferences(unit: UnitServices, limit: int) -> DigestSection:
        return DigestSection("Casusoverleggen vandaag:", ["10:00 AVZ-2026-0001"][:limit])

    digest = DigestJobs(
        world.services.bind,
        world.services.calendar,
        COORDINATION,
        (*DEFAULT_SECTIONS, conferences),
        limit=1,
    )
    async with world.database.session() as session, session.begin():
        await digest.run(session, _job(local(2026, 11, 24, 8, 30)), local(2026, 11, 24, 8, 30))
    (body,) = _in(COORDINATION, await world.new_messages())
    assert "Casussen zonder regie:" in body
    assert body.count("sinds") == 1 and "… en nog 2" in body  # three cases, one shown
    assert "Casusoverleggen vandaag:\n  • 10:00 AVZ-2026-0001" in body
    assert "Open opschalingen" not in body  # an empty section is left out


def _job(due: datetime) -> JobRow:
    return JobRow(
        id=1,
        kind="digest.daily",
        due_at=due,
        payload={},
        dedupe_key="digest:daily",
        entity_type=None,
        entity_id=None,
        status="running",
        claimed_at=due,
        claimed_by="test",
        attempts=1,
        done_at=None,
        created_at=due,
    )


async def test_closing_the_case_stops_clocks_and_lists(world: World) -> None:
    await world.request()
    await world.tick(world.clock.now())
    async with world.database.session() as session, session.begin():
        await CaseRepository(session).change_status(1, "aangemeld", "gesloten", world.clock.now())
    assert _in(COORDINATION, await world.tick(local(2026, 11, 25, 12))) == []  # no clocks
    _, lines = await world.unit(lambda u: u[EscalationService].plate_section(KIM))
    assert lines == []
    overview = await world.unit(lambda u: u[EscalationService].overview(KIM, COORDINATION))
    assert "Geen opschalingen." in overview.plain
    with pytest.raises(Refused) as refused:
        await world.request()
    assert "gesloten" in refused.value.reply.plain
