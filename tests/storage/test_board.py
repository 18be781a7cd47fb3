"""The case board's reads and ways in, on a small generated province (SQLite and PostgreSQL).

Who sees what must be the chat's rule: a member sees their own cases, a ketenmanager a
line of every open case but opens only their own; links work once and not after expiry;
every page view is one access log entry.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.clock import FakeClock
from avz_bot.domain.partners import Role
from avz_bot.messages import Messages
from avz_bot.runtime.units import AppServices
from avz_bot.services.board.case_pages import case_page
from avz_bot.services.board.pages import overview_page
from avz_bot.services.board.service import BoardQuery, BoardService
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.testkit.province import ProvinceSize, seed_province
from avz_bot.testkit.province_areas import AreaCounts
from storage.access_models import AccessLogRecord, AccessShownRecord
from storage.board_repositories import CaseFilter
from storage.case_models import CaseMemberRecord, CaseRecord
from storage.db import Database

NOW = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
SMALL = ProvinceSize(
    cases=120,
    open_cases=60,
    agreements=300,
    open_agreements=120,
    pending_jobs=0,
    audit_rows=0,
    members=60,
    heavy_regie=10,
    heavy_agreements=10,
    heavy_proposals=2,
    busy_members=10,
    areas=AreaCounts(agenda_signals=3, escalations=3, conferences=2, questions=2),
    busy_agreements=10,
    busy_timeline=5,
    busy_reminders=0,
)


def _service(session: AsyncSession, at: datetime = NOW) -> BoardService:
    services = AppServices(clock=FakeClock(at), version="test", messages=Messages())
    return services.bind(session)[BoardService]


async def _own_open(database: Database, user: str) -> set[str]:
    async with database.session() as session:
        rows = await session.execute(
            select(CaseRecord.reference)
            .join(CaseMemberRecord, CaseMemberRecord.case_id == CaseRecord.id)
            .where(
                CaseMemberRecord.matrix_id == user,
                CaseMemberRecord.left_at.is_(None),
                CaseRecord.status != "gesloten",
            )
        )
        return {r[0] for r in rows.all()}


async def test_a_member_sees_exactly_their_open_cases_and_a_ketenmanager_a_line_of_each(
    database: Database,
) -> None:
    province = await seed_province(database, SMALL, NOW - timedelta(days=1))
    plain = province.plain_user
    async with database.session() as session, session.begin():
        service = _service(session)
        member = await service.member(plain)
        assert member is not None and not member.has_role(Role.KETENMANAGER)
        seen = await service.overview(member, BoardQuery(page=1))
        html = overview_page(Messages(), seen, CasesSettings(), NOW)
    own = await _own_open(database, plain)
    assert {line.reference for line in seen.lines} == own
    assert seen.total == len(own) and not seen.scope.all_cases
    assert "<script" not in html and "Casusoverzicht" in html

    async with database.session() as session, session.begin():
        service = _service(session)
        keten = await service.member(province.ketenmanager)
        assert keten is not None
        everything = await service.overview(keten, BoardQuery(page=1))
        no_regie = await service.overview(keten, BoardQuery(CaseFilter(no_regie=True)))
    assert everything.scope.all_cases and everything.total == SMALL.open_cases
    theirs = await _own_open(database, province.ketenmanager)
    assert {line.reference for line in everything.lines if line.is_member} <= theirs
    assert all(line.regie_holder is None for line in no_regie.lines)

    # The case page: the same check as !casus (a non-member gets None, as for no case).
    outside = next(line.reference for line in everything.lines if not line.is_member)
    inside = next(iter(own))
    async with database.session() as session, session.begin():
        service = _service(session)
        assert await service.case(keten, outside) is None
        assert await service.case(member, "AVZ-1999-9999") is None
        page = await service.case(member, inside)
        assert page is not None
        assert inside in case_page(Messages("en"), page, CasesSettings(), NOW)


async def test_the_parts_follow_the_tables_and_escalations_show_their_deadline(
    database: Database,
) -> None:
    province = await seed_province(database, SMALL, NOW - timedelta(days=1))
    async with database.session() as session, session.begin():
        service = _service(session)
        keten = await service.member(province.ketenmanager)
        plain = await service.member(province.plain_user)
        assert keten is not None and plain is not None
        coordination = await service.overview(keten, BoardQuery())
        own = await service.overview(plain, BoardQuery())
        html = overview_page(Messages(), coordination, CasesSettings(), NOW)
    # A ketenmanager sees every open escalation with the domain's acknowledgement deadline
    # (8 working hours from the request), and every municipality's TVO queue.
    assert len(coordination.escalations) == SMALL.areas.escalations
    for row in coordination.escalations:
        assert row[-1] is not None and row[-1] > row[5]
    assert "termijn: " in html
    assert sum(count for _, count, _ in coordination.tvo) == SMALL.areas.agenda_signals
    # A professional sees escalations of their own cases only, no TVO queue, and the
    # questions they asked (the seed's asker); another professional none of those.
    theirs = await _own_open(database, province.plain_user)
    assert all(row[1] in theirs for row in own.escalations)
    assert own.tvo == [] and len(own.questions) == SMALL.areas.questions
    async with database.session() as session, session.begin():
        service = _service(session)
        other = await service.member(province.members[5].matrix_id)
        assert other is not None and not other.roles - {Role.PROFESSIONAL}
        elsewhere = await service.overview(other, BoardQuery())
    assert elsewhere.questions == [] and elsewhere.tvo == []


async def test_every_page_view_is_one_access_log_entry(database: Database) -> None:
    province = await seed_province(database, SMALL, NOW - timedelta(days=1))
    async with database.session() as session, session.begin():
        service = _service(session)
        member = await service.member(province.plain_user)
        assert member is not None
        seen = await service.overview(member, BoardQuery())
        reference = next(iter(await _own_open(database, province.plain_user)))
        await service.case(member, reference)
    async with database.session() as session:
        rows = (
            (await session.execute(select(AccessLogRecord).order_by(AccessLogRecord.seq)))
            .scalars()
            .all()
        )
        shown = {
            row.command: {
                (item.kind, item.reference)
                for item in (
                    await session.execute(
                        select(AccessShownRecord).where(AccessShownRecord.entry_id == row.id)
                    )
                ).scalars()
            }
            for row in rows
        }
    assert [row.command for row in rows] == ["board.overview", "board.case"]
    assert all(row.reader == province.plain_user for row in rows)
    assert {("case", line.reference) for line in seen.lines} <= shown["board.overview"]
    assert shown["board.case"] == {("case", reference)}
    assert {row.role for row in rows if row.command == "board.case"} <= {
        "regiehouder",
        "casemanager",
        "deelnemer",
    }


async def test_a_link_works_once_and_not_after_it_expired(database: Database) -> None:
    province = await seed_province(database, SMALL, NOW - timedelta(days=1))
    user = province.plain_user
    async with database.session() as session, session.begin():
        token = await _service(session).access.new_link(user)
        late = await _service(session).access.new_link(user)
    async with database.session() as session, session.begin():
        assert await _service(session).access.redeem(token) == user
    async with database.session() as session, session.begin():
        assert await _service(session).access.redeem(token) is None  # reused
        assert await _service(session, NOW + timedelta(minutes=11)).access.redeem(late) is None
        assert await _service(session).access.redeem("forged") is None
        session_id = await _service(session).access.open_session(user, "link")
    async with database.session() as session, session.begin():
        assert await _service(session).access.reader(session_id) == user
        assert await _service(session, NOW + timedelta(hours=2)).access.reader(session_id) is None
        stored = await session.scalar(select(func.count()).select_from(CaseRecord))
        assert stored  # the province is there; no secret is stored in clear (hashes only)
