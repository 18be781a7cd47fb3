"""The helpdesk through its service and jobs, with a fake clock, on SQLite and PostgreSQL.

Real services, repositories and scheduler; only the clock and the homeserver (a fake that
"creates" direct chats) are stand-ins. "Sending" is reading what lands in the outbox.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from avz_bot.clock import FakeClock
from avz_bot.domain.cases import CaseStatus
from avz_bot.domain.partners import (
    Member,
    Organisation,
    OrgDomain,
    Role,
    ScopedRole,
    ScopedRoleKind,
)
from avz_bot.messages import Messages
from avz_bot.runtime.units import AppServices
from avz_bot.scheduling import Scheduler
from avz_bot.services.direct import DirectJobs
from avz_bot.services.helpdesk.jobs import HelpdeskJobs
from avz_bot.services.helpdesk.service import HelpdeskService
from avz_bot.services.refusal import Refused
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.settings_sections.helpdesk import HelpdeskSettings
from storage.audit_models import AuditLogRecord
from storage.db import Database
from storage.outbox_repositories import LANE_BULK, LANE_INTERACTIVE, OutboxRepository
from storage.registry_repositories import PartnerRepository

AMS = ZoneInfo("Europe/Amsterdam")
DESK = "!desk:avz.test"
COORDINATION = "!coord:avz.test"
AVZ = Organisation("avz", "AVZ", OrgDomain.VEILIGHEID)
GGZ = Organisation("ggz", "GGZ", OrgDomain.ZORG)


def _expert(name: str, *roles: ScopedRole) -> Member:
    return Member(
        f"@{name}:avz.test", name.title(), GGZ, frozenset({Role.EXPERT}), frozenset(roles)
    )


ASKER = Member("@asker:avz.test", "Asker", AVZ, frozenset({Role.PROFESSIONAL}))
EXPERT = _expert("expert", ScopedRole(ScopedRoleKind.THEME, "jeugd"))
OTHER = _expert("other", ScopedRole(ScopedRoleKind.THEME, "jeugd"))
BACKUP = _expert("backup", ScopedRole(ScopedRoleKind.BACKUP_THEME, "jeugd"))
OUTSIDER = Member("@outsider:avz.test", "Outsider", AVZ, frozenset({Role.PROFESSIONAL}))


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMS).astimezone(UTC)


def _dm_room(user_id: str) -> str:
    return f"!dm-{user_id.strip('@').split(':')[0]}:avz.test"


class FakeDirectRooms:
    """Stands in for the homeserver: every direct chat gets a predictable room id."""

    def __init__(self) -> None:
        self.created: list[str] = []

    def find_room(self, name: str) -> str | None:
        return None

    async def create_private_room(self, *, invite: list[str], **_: Any) -> str:
        self.created.append(invite[0])
        return _dm_room(invite[0])

    async def invite_user(self, room_id: str, user_id: str) -> None:
        return None

    async def kick_user(self, room_id: str, user_id: str, reason: str | None) -> None:
        return None


class World:
    def __init__(self, database: Database, clock: FakeClock) -> None:
        self.database = database
        self.clock = clock
        self.rooms = FakeDirectRooms()
        settings = HelpdeskSettings(rooms=[DESK], auto_close_working_days=2, list_limit=3)
        self.services = AppServices(
            clock=clock,
            version="test",
            messages=Messages(),
            cases_settings=CasesSettings(coordination_room=COORDINATION),
            helpdesk_settings=settings,
        )
        handlers = {
            **HelpdeskJobs(self.services.bind).handlers(),
            **DirectJobs(self.rooms, federate=False).handlers(),
        }
        self.scheduler = Scheduler(database, clock, handlers, worker_id="test")
        self.seen = 0
        self.lanes: set[int] = set()

    async def setup(self) -> None:
        async with self.database.session() as session, session.begin():
            await PartnerRepository(session).sync(
                [AVZ, GGZ], [ASKER, EXPERT, OTHER, BACKUP, OUTSIDER]
            )

    async def run(self, action: Callable[[HelpdeskService], Awaitable[Any]]) -> Any:
        async with self.database.session() as session, session.begin():
            return await action(self.services.bind(session)[HelpdeskService])

    async def tick(self, instant: datetime | None = None) -> list[dict[str, Any]]:
        """Move the clock, run due jobs; the new outbox messages (room_id added)."""
        if instant is not None:
            self.clock.set(instant)
        while await self.scheduler.run_due():  # jobs may schedule jobs due now (a DM)
            pass
        async with self.database.session() as session, session.begin():
            for user in self.rooms.created:  # every expert joins the chat the bot made
                await self.services.direct_messages(session).joined(_dm_room(user), user)
        async with self.database.session() as session:
            rows = await OutboxRepository(session).pending(limit=1000)
        new = rows[self.seen :]
        self.seen = len(rows)
        self.lanes = {row.lane for row in new}  # of the messages just returned
        return [{**row.content, "room_id": row.room_id} for row in new]


@pytest.fixture
async def world(database: Database) -> World:
    created = World(database, FakeClock(local(2026, 11, 27, 20)))  # Friday evening
    await created.setup()
    return created


async def _ask(world: World, text: str = "Wat doen we bij zorgen over schoolverzuim?") -> Any:
    return await world.run(lambda s: s.ask(ASKER, DESK, "$root1", "jeugd", text))


async def test_question_is_routed_to_the_experts_in_its_thread_and_by_dm(world: World) -> None:
    outcome = await _ask(world)
    assert outcome.question.reference == "VR-2026-1"
    assert set(outcome.notify) == {EXPERT.matrix_id, OTHER.matrix_id}
    reply = await world.run(lambda s: s.reply_for(outcome, DESK))
    content = reply.to_content("$root1")
    assert content["m.relates_to"]["rel_type"] == "m.thread"
    assert content["m.relates_to"]["event_id"] == "$root1"
    assert set(content["m.mentions"]["user_ids"]) == {EXPERT.matrix_id, OTHER.matrix_id}
    assert "zonder" not in reply.plain or "BSN" in reply.plain  # the privacy reminder
    sent = await world.tick()
    dms = [m for m in sent if m["room_id"].startswith("!dm-")]
    assert {m["room_id"] for m in dms} == {"!dm-expert:avz.test", "!dm-other:avz.test"}
    for message in dms:
        assert "VR-2026-1" in message["body"] and "schoolverzuim" not in message["body"]
    assert world.lanes == {LANE_INTERACTIVE}  # caused by the question being asked
    # A second question: the direct chats exist, no new ones are made.
    await world.run(lambda s: s.ask(ASKER, DESK, "$root2", "jeugd", "Tweede vraag over jeugd"))
    await world.tick()
    assert sorted(world.rooms.created) == [EXPERT.matrix_id, OTHER.matrix_id]


async def test_bad_questions_are_refused(world: World) -> None:
    cases = [
        (lambda s: s.ask(ASKER, "!elsewhere:x", "$e", "jeugd", "vraag"), "not_helpdesk_room"),
        (lambda s: s.ask(ASKER, DESK, "$e", "onbekend", "vraag"), "theme_unknown"),
        (lambda s: s.ask(ASKER, DESK, "$e", "jeugd", "bsn 111222333?"), "bsn_in_question"),
    ]
    for action, key in cases:
        with pytest.raises(Refused) as refused:
            await world.run(action)
        assert refused.value.key == key


async def test_life_cycle_with_permissions(world: World) -> None:
    await _ask(world)
    ref = "VR-2026-1"

    async def refused(action: Callable[[HelpdeskService], Awaitable[Any]]) -> str:
        with pytest.raises(Refused) as exc:
            await world.run(action)
        return exc.value.key

    assert await refused(lambda s: s.claim(OUTSIDER, ref)) == "not_allowed"
    claimed = await world.run(lambda s: s.claim(EXPERT, ref))
    assert claimed.question.status == "opgepakt" and claimed.notify == (ASKER.matrix_id,)
    assert await refused(lambda s: s.claim(OTHER, ref)) == "wrong_status"
    _, mine = await world.run(lambda s: s.plate_section(EXPERT))
    assert mine == [f"{ref} (jeugd) wacht op jouw antwoord"]
    assert await refused(lambda s: s.answer(OTHER, ref, "Mijn antwoord")) == "not_allowed"
    assert await refused(lambda s: s.answer(EXPERT, ref, "bsn 111222333")) == "bsn_in_answer"
    answered = await world.run(lambda s: s.answer(EXPERT, ref, "Bel de leerplichtambtenaar."))
    assert answered.question.answer == "Bel de leerplichtambtenaar."
    assert await refused(lambda s: s.confirm(EXPERT, ref)) == "not_allowed"
    _, mine = await world.run(lambda s: s.plate_section(ASKER))
    assert mine == [f"{ref} (jeugd) is beantwoord: bevestig met !opgelost {ref}"]
    closed = await world.run(lambda s: s.confirm(ASKER, ref))
    assert closed.question.status == "gesloten" and closed.question.closed_automatic is False
    reopened = await world.run(lambda s: s.reopen(ASKER, ref))
    assert reopened.question.status == "opgepakt"
    assert await refused(lambda s: s.claim(EXPERT, "VR-2026-99")) == "question_unknown"
    async with world.database.session() as session:
        rows = await session.scalars(
            select(AuditLogRecord.action)
            .where(AuditLogRecord.entity_id == ref)
            .order_by(AuditLogRecord.id)
        )
        actions = list(rows)
    assert actions == [
        "helpdesk.asked",
        "helpdesk.claimed",
        "helpdesk.answered",
        "helpdesk.confirmed",
        "helpdesk.reopened",
    ]


async def test_breach_chain_on_working_time_without_doubles(world: World) -> None:
    await _ask(world)  # Friday 20:00: the clock starts Monday 08:30
    await world.tick()
    assert await world.tick(local(2026, 11, 30, 17, 0)) == []
    first = await world.tick(local(2026, 11, 30, 17, 31))
    thread = [m for m in first if m["room_id"] == DESK]
    assert len(thread) == 1 and "eerste reactie" in thread[0]["body"]
    assert thread[0]["m.relates_to"]["event_id"] == "$root1"
    assert set(thread[0]["m.mentions"]["user_ids"]) == {EXPERT.matrix_id, OTHER.matrix_id}
    assert world.lanes == {LANE_BULK}  # service-level notices are background notifications
    assert await world.tick(local(2026, 11, 30, 17, 45)) == []  # not twice
    second = await world.tick(local(2026, 12, 1, 13, 1))
    backup_dm = [m for m in second if m["room_id"] == "!dm-backup:avz.test"]
    assert len(backup_dm) == 1 and "VR-2026-1" in backup_dm[0]["body"]
    assert world.lanes == {LANE_BULK}
    third = await world.tick(local(2026, 12, 1, 17, 31))
    coord = [m for m in third if m["room_id"] == COORDINATION]
    assert len(coord) == 1 and "schoolverzuim" not in coord[0]["body"]
    assert world.lanes == {LANE_BULK}
    assert await world.tick(local(2026, 12, 10, 12)) == []  # the chain has ended


async def test_claim_stops_the_first_response_chain(world: World) -> None:
    await _ask(world)
    await world.tick(local(2026, 11, 30, 9))
    await world.run(lambda s: s.claim(EXPERT, "VR-2026-1"))
    assert await world.tick(local(2026, 11, 30, 17, 31)) == []
    # The solution clock (5 working days from the question) reminds the claimer only.
    late = await world.tick(local(2026, 12, 7, 9, 1))
    assert [m["m.mentions"]["user_ids"] for m in late if m["room_id"] == DESK] == [
        [EXPERT.matrix_id]
    ]


async def test_auto_close_reminds_once_then_closes(world: World) -> None:
    await _ask(world)
    world.clock.set(local(2026, 11, 30, 10))
    await world.run(lambda s: s.answer(EXPERT, "VR-2026-1", "Zie de meldcode."))
    await world.tick()
    reminder = await world.tick(local(2026, 12, 1, 10, 1))  # one working day before
    assert len(reminder) == 1 and ASKER.matrix_id in reminder[0]["m.mentions"]["user_ids"]
    assert world.lanes == {LANE_BULK}
    assert await world.tick(local(2026, 12, 1, 12)) == []
    closed = await world.tick(local(2026, 12, 2, 10, 1))
    assert len(closed) == 1 and "automatisch gesloten" in closed[0]["body"]
    assert world.lanes == {LANE_BULK}
    question = await world.run(lambda s: s.question("VR-2026-1"))
    assert question.status == "gesloten" and question.closed_automatic is True


async def test_cards_from_question_to_search_and_review(world: World) -> None:
    await _ask(world, "Hoe pakken we woonoverlast door jongeren aan?")
    ref = "VR-2026-1"
    world.clock.set(local(2026, 11, 30, 10))
    await world.run(lambda s: s.answer(EXPERT, ref, "Buurtbemiddeling en een gedragsaanwijzing."))
    with pytest.raises(Refused):
        await world.run(lambda s: s.card_new(OUTSIDER, ref))
    draft = await world.run(lambda s: s.card_new(EXPERT, ref))
    card = draft.card.reference
    assert draft.card.status == "concept" and card == "K-1"
    found = await world.run(lambda s: s.search("gedragsaanwijzingen", s.window(1)))
    assert [f.reference for f in found.found] == [ref]  # the answered question; no draft
    await world.run(lambda s: s.card_edit(EXPERT, card, None, "Bel 111222333 voor advies."))
    with pytest.raises(Refused) as refused:
        await world.run(lambda s: s.card_publish(EXPERT, card))
    assert refused.value.key == "bsn"
    await world.run(
        lambda s: s.card_edit(EXPERT, card, "Overlast door jongeren", "Buurtbemiddeling.")
    )
    # Someone who may not publish is told who may (the card table), not who answers.
    with pytest.raises(Refused) as not_yours:
        await world.run(lambda s: s.card_publish(OUTSIDER, card))
    assert not_yours.value.key == "card_not_allowed"
    words = not_yours.value.reply.plain
    assert words == (
        "Publiceren van K-1 (concept) mag alleen een expert van het thema van de kaart, "
        "een ketenmanager of de eigenaar van de kaart; er is niets veranderd."
    )
    with pytest.raises(Refused) as not_yours:
        await world.run(lambda s: s.card_retire(OUTSIDER, card))
    assert not_yours.value.reply.plain.startswith("Laten vervallen van K-1")
    assert "expert" not in not_yours.value.reply.plain  # retiring is the keepers' alone
    published = await world.run(lambda s: s.card_publish(EXPERT, card))
    # 180 days after Monday 30 November 10:00 is Saturday 29 May 2027: the review falls
    # on the next working day at 09:00 (issue 25: not on a weekend at the publishing minute).
    assert published.card.review_due == local(2027, 5, 31, 9)
    found = await world.run(lambda s: s.search("overlast jongere", s.window(1)))
    assert found.found[0].reference == card
    # The review date: the owner gets a direct message, once.
    await world.tick()
    due = [m for m in await world.tick(local(2027, 5, 31, 9)) if m["room_id"] != DESK]
    assert [m["room_id"] for m in due] == ["!dm-expert:avz.test"]
    assert "K-1" in due[0]["body"]
    assert world.lanes == {LANE_BULK}  # a review reminder
    assert await world.tick(local(2027, 6, 1, 9)) == []
    _heading, lines = await world.run(lambda s: s.plate_section(EXPERT))
    assert any("K-1" in line for line in lines)
    await world.run(lambda s: s.card_confirm(EXPERT, card))
    _, lines = await world.run(lambda s: s.plate_section(EXPERT))
    assert not any("K-1" in line for line in lines)
    await world.run(lambda s: s.card_retire(EXPERT, card))
    found = await world.run(lambda s: s.search("overlast jongere", s.window(1)))
    assert card not in [f.reference for f in found.found]


async def test_open_list_is_bounded_oldest_first(world: World) -> None:
    for n in range(5):
        world.clock.set(local(2026, 11, 30, 9 + n))
        await world.run(lambda s, n=n: s.ask(ASKER, DESK, f"$r{n}", "jeugd", f"Vraag nummer {n}"))
    await world.run(lambda s: s.claim(EXPERT, "VR-2026-2"))
    result = await world.run(lambda s: s.open_list(DESK, s.window(1)))
    assert [q.reference for q in result.questions] == ["VR-2026-1", "VR-2026-2", "VR-2026-3"]
    assert result.total == 5
    rendered = await world.run(lambda s: _render(s, result))
    assert "… en nog 2" in rendered and "VR-2026-1" in rendered.splitlines()[1]


async def _render(s: HelpdeskService, result: Any) -> str:
    return s.view.open_list(result, s.window(1), s.now, 16_000).plain


async def test_claim_by_reaction(world: World) -> None:
    await _ask(world)
    assert await world.run(lambda s: s.claim_by_reaction(EXPERT, DESK, "$other")) is None
    assert await world.run(lambda s: s.claim_by_reaction(OUTSIDER, DESK, "$root1")) is None
    reply = await world.run(lambda s: s.claim_by_reaction(EXPERT, DESK, "$root1"))
    assert reply is not None and "opgepakt" in reply.plain
    question = await world.run(lambda s: s.question("VR-2026-1"))
    assert question.claimed_by == EXPERT.matrix_id


CASE = "AVZ-2026-0007"
#: A ketenmanager (not in the partner registry: the service takes the member as given).
KETEN = Member("@keten:avz.test", "Keten", AVZ, frozenset({Role.KETENMANAGER}))


async def _case(
    world: World, status: CaseStatus, *members: Member, left: Member | None = None
) -> None:
    """Case ``CASE`` in ``status`` with ``members`` (the first holds regie); ``left`` was a
    member and left."""
    from storage.case_repositories import CaseRepository

    now = world.clock.now()
    async with world.database.session() as session, session.begin():
        cases = CaseRepository(session)
        row = await cases.create(
            reference=CASE,
            title="Naam van een persoon",
            municipality="groningen",
            case_type="jeugd",
            created_by=members[0].matrix_id,
            now=now,
            status=status.value,
        )
        for member in (*members, *([left] if left else [])):
            await cases.add_member(row.id, member.matrix_id, member.organisation.code, now)
        await cases.claim_regie(row.id, members[0].matrix_id, members[0].organisation.code, now)
        if left is not None:
            await cases.mark_member_left(row.id, left.matrix_id, now)


async def _refusal(
    world: World, action: Callable[[HelpdeskService], Awaitable[Any]]
) -> tuple[str, str]:
    """The refusal's key and the Dutch reply the command handler sends for it."""
    async with world.database.session() as session, session.begin():
        service = world.services.bind(session)[HelpdeskService]
        with pytest.raises(Refused) as exc:
            await action(service)
        return exc.value.key, exc.value.reply.plain


async def test_lesson_from_a_closed_case(world: World) -> None:
    await _case(world, CaseStatus.GESLOTEN, ASKER, EXPERT)

    async def refused(action: Callable[[HelpdeskService], Awaitable[Any]]) -> str:
        return (await _refusal(world, action))[0]

    assert await refused(lambda s: s.card_new(EXPERT, CASE, "jeugd")) == "lesson_not_allowed"
    assert await refused(lambda s: s.card_new(ASKER, CASE, None)) == "theme_unknown"
    assert await refused(lambda s: s.card_new(ASKER, "AVZ-2026-0999", "jeugd")) == "case_unknown"
    lesson = await world.run(lambda s: s.card_new(ASKER, CASE, "jeugd"))
    card = lesson.card
    assert card.status == "concept" and card.title == "Les uit casus AVZ-2026-0007"
    assert "Naam" not in card.body  # nothing is copied from the case
    assert await refused(lambda s: s.card_publish(ASKER, card.reference)) == "empty"


@pytest.mark.parametrize("status", [s for s in CaseStatus if s is not CaseStatus.GESLOTEN])
async def test_no_lesson_from_a_case_that_is_not_closed(world: World, status: CaseStatus) -> None:
    """Regression: the refusal looked the case status up among the helpdesk's statuses,
    which failed the command ("er ging iets mis"); it names the status in the cases'
    words now. (Every status but gesloten; a new case is "aangemeld".)"""
    await _case(world, status, ASKER, KETEN)
    word = Messages().t(f"case.status.{status.value}")
    for who in (ASKER, KETEN):  # the regiehouder, a ketenmanager in the case
        key, reply = await _refusal(world, lambda s, who=who: s.card_new(who, CASE, "jeugd"))
        assert key == "lesson_wrong_status"
        assert reply == f"Een les maak je van een gesloten casus; {CASE} is {word}."


@pytest.mark.parametrize("status", list(CaseStatus))
async def test_a_lesson_tells_a_non_member_nothing_about_the_case(
    world: World, status: CaseStatus
) -> None:
    """Membership first: whoever is not (or no longer) in the case, a ketenmanager too,
    gets the reply for a case that does not exist, whatever the case's status."""
    await _case(world, status, ASKER, EXPERT, left=OTHER)
    _, unknown = await _refusal(world, lambda s: s.card_new(OUTSIDER, "AVZ-2026-0999", "jeugd"))
    assert unknown == "Casus AVZ-2026-0999 bestaat niet."
    for who in (OUTSIDER, OTHER, KETEN):
        key, reply = await _refusal(world, lambda s, who=who: s.card_new(who, CASE, "jeugd"))
        assert (key, reply) == ("case_unknown", unknown.replace("AVZ-2026-0999", CASE))
    # A member without the right is refused before the status is looked at.
    key, reply = await _refusal(world, lambda s: s.card_new(EXPERT, CASE, "jeugd"))
    assert key == "lesson_not_allowed"
    assert reply == f"Alleen de regiehouder van {CASE} of een ketenmanager maakt er een les van."


async def test_a_command_from_elsewhere_is_also_posted_in_the_thread(world: World) -> None:
    await _ask(world)
    await world.tick()
    outcome = await world.run(lambda s: s.claim(EXPERT, "VR-2026-1"))
    reply = await world.run(lambda s: s.reply_for(outcome, "!dm-expert:avz.test"))
    assert reply.thread_root is None  # answered where it was asked
    posted = await world.tick()
    assert [(m["room_id"], m["m.relates_to"]["event_id"]) for m in posted] == [(DESK, "$root1")]
    assert "Expert heeft VR-2026-1 opgepakt" in posted[0]["body"]


def test_service_levels_must_name_known_themes() -> None:
    from pydantic import ValidationError

    from avz_bot.settings_sections.helpdesk import ThemeServiceLevel

    with pytest.raises(ValidationError):
        HelpdeskSettings(service_levels={"onbekend": ThemeServiceLevel()})
