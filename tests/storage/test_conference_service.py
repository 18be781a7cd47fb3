"""Case conferences through the real services, repositories and scheduler (SQLite and
PostgreSQL); only the clock is controlled, and "sending" is reading the outbox."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest

from avz_bot.clock import FakeClock
from avz_bot.domain.partners import Member, Organisation, OrgDomain, Role
from avz_bot.messages import Messages
from avz_bot.runtime.units import AppServices
from avz_bot.scheduling import Scheduler
from avz_bot.services.agreements.service import AgreementService
from avz_bot.services.cases import CaseService
from avz_bot.services.conferences.jobs import ConferenceJobs, todays_conferences
from avz_bot.services.conferences.persisting import invitation_key
from avz_bot.services.conferences.service import ConferenceService
from avz_bot.services.outbox import txn_id_for
from avz_bot.services.refusal import Refused
from avz_bot.settings_sections.cases import CasesSettings
from storage.agreement_repositories import AgreementRepository
from storage.audit_repositories import AuditRepository
from storage.case_repositories import CaseRepository
from storage.conference_repositories import ConferenceRepository
from storage.db import Database
from storage.outbox_repositories import LANE_BULK, LANE_INTERACTIVE, OutboxRepository
from storage.registry_repositories import PartnerRepository
from storage.schedule_repositories import JobRepository

AMS = ZoneInfo("Europe/Amsterdam")
ROOM = "!case:avz.test"
POLITIE = Organisation("politie", "Politie", OrgDomain.VEILIGHEID)
GGZ = Organisation("ggz", "Lentis GGZ", OrgDomain.ZORG)
PIETER = Member("@pieter:avz.test", "Pieter", POLITIE, frozenset({Role.PROFESSIONAL}))
ANOUK = Member("@anouk:avz.test", "Anouk", GGZ, frozenset({Role.PROFESSIONAL}))
BRAM = Member("@bram:avz.test", "Bram", GGZ, frozenset({Role.PROFESSIONAL}))


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=AMS).astimezone(UTC)


class World:
    """A case with Pieter (regiehouder), Anouk and Bram; services and a scheduler."""

    def __init__(self, database: Database, clock: FakeClock) -> None:
        self.database = database
        self.clock = clock
        self.services = AppServices(
            clock=clock, version="test", messages=Messages(), cases_settings=CasesSettings()
        )
        self.scheduler = Scheduler(
            database, clock, ConferenceJobs(self.services.bind).handlers(), worker_id="test"
        )
        self.seen = 0
        self.lanes: set[int] = set()
        self.keys = 0

    async def setup(self) -> None:
        now = self.clock.now()
        async with self.database.session() as session, session.begin():
            await PartnerRepository(session).sync([POLITIE, GGZ], [PIETER, ANOUK, BRAM])
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
            for member, org in ((PIETER, "politie"), (ANOUK, "ggz"), (BRAM, "ggz")):
                await cases.add_member(row.id, member.matrix_id, org, now)
            await cases.claim_regie(row.id, PIETER.matrix_id, "politie", now)
            agreements = AgreementRepository(session)
            # Seeded: one overdue (made earlier), one due before the conference.
            for text, deadline in (
                ("Dossier opvragen", local(11, 20, 17)),
                ("Bellen", local(11, 25, 17)),
            ):
                await agreements.create(
                    case_id=row.id,
                    description=text,
                    owner_user=ANOUK.matrix_id,
                    owner_org="ggz",
                    created_by=PIETER.matrix_id,
                    deadline=deadline,
                    now=local(11, 16, 9),
                )

    async def run(self, action: Callable[[ConferenceService], Awaitable[Any]]) -> Any:
        async with self.database.session() as session, session.begin():
            return await action(self.services.bind(session)[ConferenceService])

    def key(self) -> str:
        self.keys += 1
        return f"$event{self.keys}"

    async def sent(self) -> list[dict[str, Any]]:
        """New outbox contents since the last call."""
        async with self.database.session() as session:
            rows = await OutboxRepository(session).pending(limit=1000)
        new = rows[self.seen :]
        self.seen = len(rows)
        self.lanes = {row.lane for row in new}  # of the contents just returned
        return [row.content for row in new]

    async def tick(self, instant: datetime) -> list[dict[str, Any]]:
        self.clock.set(instant)
        await self.scheduler.run_due()
        return await self.sent()

    async def jobs(self) -> dict[str, tuple[datetime, str]]:
        async with self.database.session() as session:
            rows = await JobRepository(session).for_entity("conference", "1")
        return {str(r.dedupe_key): (r.due_at, r.status) for r in rows}


@pytest.fixture
async def world(database: Database) -> World:
    created = World(database, FakeClock(local(11, 23, 10)))  # Monday 23 November
    await created.setup()
    return created


def ics_of(contents: list[dict[str, Any]]) -> icalendar.Event:
    files = [c for c in contents if c.get("filename") == "overleg.ics"]
    assert len(files) == 1
    data = base64.b64decode(files[0]["avz.upload"])
    return icalendar.Calendar.from_ical(data)


async def plan(world: World, when: str = "donderdag 14:00", **kw: str) -> Any:
    return await world.run(
        lambda s: s.plan(
            PIETER,
            ROOM,
            when,
            kw.get("duur"),
            kw.get("locatie", "Stadhuis"),
            kw.get("deelnemers", ""),
            world.key(),
        )
    )


async def test_plan_posts_an_invitation_with_a_calendar_file_and_arms_reminders(
    world: World,
) -> None:
    reply = await plan(world)
    assert reply.plain == (
        "Overleg OV-2026-0001 is gepland op donderdag 26 november 2026, 14:00. "
        "De uitnodiging met het agendabestand volgt hieronder."
    )
    contents = await world.sent()
    text, _file = contents
    assert world.lanes == {LANE_INTERACTIVE}  # the planner's command posts it
    assert set(text["m.mentions"]["user_ids"]) == {
        PIETER.matrix_id,
        ANOUK.matrix_id,
        BRAM.matrix_id,
    }
    assert "✅" in text["body"]
    calendar = ics_of(contents)
    assert str(calendar["METHOD"]) == "REQUEST"
    event = calendar.walk("VEVENT")[0]
    assert event.decoded("DTSTART") == local(11, 26, 14)
    assert str(event["UID"]) == "ov-2026-0001@avz-bot"
    assert str(event["SUMMARY"]) == "Casusoverleg AVZ-2026-0001 (OV-2026-0001)"
    assert await world.jobs() == {
        "conference:1:day_before": (local(11, 25, 9), "pending"),
        "conference:1:hour_before": (local(11, 26, 13), "pending"),
    }
    async with world.database.session() as session:
        trail = await AuditRepository(session).list(entity_type="case", entity_id="AVZ-2026-0001")
    assert [e.action for e in trail] == ["conference.planned"]


async def test_bad_input_is_refused_and_stores_nothing(world: World) -> None:
    for when, expected in (
        ("donderdag", "Geef een tijd op"),
        ("gisteren 14:00", "verleden"),
    ):
        with pytest.raises(Refused) as refused:
            await plan(world, when)
        assert expected in refused.value.reply.plain
    with pytest.raises(Refused) as refused:
        await plan(world, deelnemers="@vreemd:avz.test")
    assert "geen lid van deze casus" in refused.value.reply.plain
    with pytest.raises(Refused) as refused:
        await world.run(lambda s: s.plan(BRAM, ROOM, "donderdag 14:00", None, "", "", "$x"))
    assert "Dat mag alleen de regiehouder of een casemanager of een ketenmanager" in (
        refused.value.reply.plain
    )
    with pytest.raises(Refused) as refused:
        await world.run(lambda s: s.answer(ANOUK, ROOM, "OV-2026-0099", True, "", "$y"))
    assert "bestaat niet" in refused.value.reply.plain


async def test_the_whole_life_of_a_conference(world: World) -> None:
    await plan(world, deelnemers="politie,@anouk:avz.test")
    await world.sent()
    # Only invited participants answer; members add items.
    with pytest.raises(Refused):
        await world.run(lambda s: s.answer(BRAM, ROOM, "OV-2026-0001", True, "", world.key()))
    came = await world.run(lambda s: s.answer(ANOUK, ROOM, "ov-2026-0001", True, "", world.key()))
    assert "Komen: Anouk, Pieter" in came.plain
    await world.run(lambda s: s.add_item(BRAM, ROOM, "OV-2026-0001", "Schoolverzuim", world.key()))

    # The first reminder (Wednesday 9:00) comes with the agenda.
    assert await world.tick(local(11, 25, 8, 59)) == []
    reminder, agenda = await world.tick(local(11, 25, 9))
    assert world.lanes == {LANE_BULK}  # reminder and agenda are scheduled posts
    assert reminder["body"].startswith(
        "Anouk (@anouk:avz.test), Pieter (@pieter:avz.test): herinnering"
    )
    assert agenda["body"] == "\n".join(
        [
            "Agenda casusoverleg OV-2026-0001 — donderdag 26 november 2026, 14:00",
            "Regie: Pieter (sinds maandag 23 november 2026, 10:00)",
            "Verlopen afspraken:",
            "  • #1 Dossier opvragen — Anouk, deadline vrijdag 20 november 2026, 17:00",
            "Afspraken met een deadline vóór dit overleg:",
            "  • #2 Bellen — Anouk, deadline woensdag 25 november 2026, 17:00",
            "Afgerond sinds het vorige overleg:",
            "  • geen",
            "Punten van leden:",
            "  • Schoolverzuim (Bram)",
        ]
    )

    # During the conference: decisions, an agreement (linked), attendance, close.
    # The bot "was down" over the hour-before moment: once it started, no reminder any more.
    assert await world.tick(local(11, 26, 14, 5)) == []
    with pytest.raises(Refused):
        await world.run(lambda s: s.move(PIETER, ROOM, "OV-2026-0001", "vrijdag 10:00", "x", "$m"))
    await world.run(lambda s: s.decide(PIETER, ROOM, "Huisbezoek door wijkteam", world.key()))
    await world.run(lambda s: s.decide(PIETER, ROOM, "Correctie: samen met GGZ", world.key()))
    async with world.database.session() as session, session.begin():
        unit = world.services.bind(session)
        loaded = await unit[CaseService].require_case(ROOM)
        await unit[AgreementService].create(
            PIETER, loaded, "@anouk:avz.test", "Zorgplan", "4 december 12:00"
        )
        await unit[AgreementService].finish(ANOUK, loaded, 2, "")
    await world.run(
        lambda s: s.correct_attendance(
            PIETER, ROOM, [PIETER.matrix_id, BRAM.matrix_id], world.key()
        )
    )
    minutes = await world.run(lambda s: s.close(PIETER, ROOM, "10 december 14:00", world.key()))
    expected = [
        "Verslag casusoverleg OV-2026-0001 (AVZ-2026-0001) — donderdag 26 november 2026, 14:00",
        "Aanwezig:",
        "  • Bram (Lentis GGZ)",
        "  • Pieter (Politie)",
        "Afwezig:",
        "  • Anouk (Lentis GGZ)",
        "Besluiten:",
        "  • Huisbezoek door wijkteam (Pieter)",
        "  • Correctie: samen met GGZ (Pieter)",
        "Nieuwe afspraken:",
        "  • #3 Zorgplan — Anouk, deadline vrijdag 4 december 2026, 12:00",
        "Gewijzigde afspraken:",
        "  • #2 Bellen — Anouk, deadline woensdag 25 november 2026, 17:00",
        "Volgend overleg:",
        "  • donderdag 10 december 2026, 14:00",
    ]
    assert minutes.plain == "\n".join(expected)
    (attachment,) = minutes.attachments
    assert attachment.filename == "verslag-ov-2026-0001.md"
    markdown = attachment.data.decode()
    assert markdown.startswith("# " + expected[0] + "\n\n## Aanwezig:\n\n- Bram (Lentis GGZ)\n")
    assert (
        "## Besluiten:\n\n- Huisbezoek door wijkteam (Pieter)\n- Correctie: samen met GGZ"
        in markdown
    )

    # The next conference is planned with the same participants; its reminders are durable jobs.
    async with world.database.session() as session:
        jobs = {r.dedupe_key: r for r in await JobRepository(session).for_entity("conference", "2")}
        first = await ConferenceRepository(session).get(1)
    assert first is not None and first.status == "afgerond"
    assert jobs["conference:2:day_before"].due_at == local(12, 9, 9)
    assert jobs["conference:2:hour_before"].due_at == local(12, 10, 13)
    assert {k: v[1] for k, v in (await world.jobs()).items()} == {
        "conference:1:day_before": "done",
        "conference:1:hour_before": "done",
    }
    invitation = ics_of(await world.sent())
    assert str(invitation.walk("VEVENT")[0]["UID"]) == "ov-2026-0002@avz-bot"
    # Minutes are final: no more decisions on a closed conference.
    with pytest.raises(Refused) as refused:
        await world.run(lambda s: s.decide(PIETER, ROOM, "te laat", world.key()))
    assert "Er loopt nu geen overleg" in refused.value.reply.plain
    listing = await world.run(lambda s: s.overview(BRAM, ROOM))
    assert listing.plain == "\n".join(
        [
            "Overleggen van AVZ-2026-0001",
            "Gepland:",
            "  • OV-2026-0002 — donderdag 10 december 2026, 14:00 (gepland)",
            "Eerder:",
            "  • OV-2026-0001 — donderdag 26 november 2026, 14:00 (afgerond)",
        ]
    )


async def test_a_member_without_a_case_role_may_not_move_and_nothing_changes(
    world: World,
) -> None:
    await plan(world)
    await world.sent()
    with pytest.raises(Refused) as refused:
        await world.run(
            lambda s: s.move(ANOUK, ROOM, "OV-2026-0001", "vrijdag 10:00", "zitting", "$m")
        )
    assert "Dat mag alleen" in refused.value.reply.plain
    assert "de organisator" in refused.value.reply.plain


async def test_cancel_sends_a_cancelling_file_and_stops_the_reminders(world: World) -> None:
    await plan(world)
    first = ics_of(await world.sent()).walk("VEVENT")[0]
    await world.run(
        lambda s: s.move(PIETER, ROOM, "OV-2026-0001", "vrijdag 10:00", "zitting", world.key())
    )
    moved_cal = ics_of(await world.sent())
    moved = moved_cal.walk("VEVENT")[0]
    assert moved.decoded("DTSTART") == local(11, 27, 10)
    assert str(moved["UID"]) == str(first["UID"])
    assert int(moved["SEQUENCE"]) == int(first["SEQUENCE"]) + 1
    assert (await world.jobs())["conference:1:day_before"] == (local(11, 26, 9), "pending")
    await world.run(
        lambda s: s.cancel(PIETER, ROOM, "OV-2026-0001", "casus afgeschaald", world.key())
    )
    cancelled_cal = ics_of(await world.sent())
    cancelled = cancelled_cal.walk("VEVENT")[0]
    assert str(cancelled_cal["METHOD"]) == "CANCEL"
    assert str(cancelled["UID"]) == str(first["UID"])
    assert int(cancelled["SEQUENCE"]) == 2
    assert {v[1] for v in (await world.jobs()).values()} == {"cancelled"}
    assert await world.tick(local(11, 26, 9)) == []


async def test_plate_and_digest_sections(world: World) -> None:
    await plan(world)
    await plan(world, "vrijdag 10:00", deelnemers="politie")
    heading, lines = await world.run(lambda s: s.plate_section(ANOUK))
    assert heading == "Jouw komende overleggen:"
    assert lines == ["OV-2026-0001 (AVZ-2026-0001) — donderdag 26 november 2026, 14:00"]
    digest = await world.run(lambda s: s.digest_section(local(11, 26, 12).astimezone(AMS).date()))
    assert digest == [("Groningen", ["14:00 OV-2026-0001 (AVZ-2026-0001)"])]


async def test_the_daily_digest_lists_todays_conferences(world: World) -> None:
    await plan(world)
    world.clock.set(local(11, 26, 8))  # the morning of the conference
    async with world.database.session() as session, session.begin():
        section = await todays_conferences(world.services.bind(session), 10)
    assert section.heading == "Casusoverleggen vandaag"
    assert section.lines == ["Groningen: 14:00 OV-2026-0001 (AVZ-2026-0001)"]
    world.clock.set(local(11, 27, 8))  # the day after: nothing
    async with world.database.session() as session, session.begin():
        assert (await todays_conferences(world.services.bind(session), 10)).lines == []


async def test_reactions_on_the_invitation_count_only_from_participants(world: World) -> None:
    await plan(world, deelnemers="politie,@anouk:avz.test")
    await world.sent()
    txn = txn_id_for("notify", invitation_key(1, 0))
    async with world.database.session() as session, session.begin():
        await OutboxRepository(session).mark_sent(txn, "$invitation", world.clock.now())
    # Not the invitation, or not invited: nothing happens.
    assert (
        await world.run(lambda s: s.reaction(ROOM, ANOUK.matrix_id, "$other", True, "$r1")) is None
    )
    assert (
        await world.run(lambda s: s.reaction(ROOM, BRAM.matrix_id, "$invitation", True, "$r2"))
        is None
    )
    declined = await world.run(
        lambda s: s.reaction(ROOM, ANOUK.matrix_id, "$invitation", False, "$r3")
    )
    assert declined is not None
    assert "afgemeld" in declined.plain
    async with world.database.session() as session:
        people = {p.matrix_id: p for p in await ConferenceRepository(session).participants(1)}
    assert people[ANOUK.matrix_id].attendance == "afgemeld"
    assert people[ANOUK.matrix_id].reason == "afgemeld met ❌"
    assert BRAM.matrix_id not in people


async def test_my_plate_lists_upcoming_conferences(world: World) -> None:
    await plan(world)
    async with world.database.session() as session, session.begin():
        plate = await world.services.bind(session)[AgreementService].my_plate(ANOUK)
    assert "Jouw komende overleggen:\n  • OV-2026-0001 (AVZ-2026-0001) — donderdag 26 november" in (
        plate.plain
    )


async def test_closing_with_a_bad_next_date_changes_nothing(world: World) -> None:
    await plan(world)
    world.clock.set(local(11, 26, 14, 1))
    await world.run(lambda s: s.decide(PIETER, ROOM, "Besluit", world.key()))
    for bad, expected in (("vrijdag", "Geef een tijd op"), ("gisteren 10:00", "verleden")):
        with pytest.raises(Refused) as refused:
            await world.run(lambda s, b=bad: s.close(PIETER, ROOM, b, world.key()))
        assert expected in refused.value.reply.plain
    async with world.database.session() as session:
        row = await ConferenceRepository(session).get(1)
        total = (await ConferenceRepository(session).for_case(1, planned=True, limit=5))[1]
    assert row is not None and row.status == "gepland"  # still running, not closed
    assert total == 1  # and no next conference
