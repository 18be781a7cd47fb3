"""The board's service: what one reader may see, read in one transaction, and logged.

``overview`` and ``case`` gather a page's data for a member under the scope of
``avz_bot.domain.board.permissions`` (the areas' own tables), and log the page view as a
read (:func:`avz_bot.services.board.reads.record_read`). ``link`` answers ``!overzicht``.
Nothing here changes case data: the board is read only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.board.permissions import BoardScope, members_read_cases, scope_for
from avz_bot.domain.cases.permissions import CaseAction, check
from avz_bot.domain.escalations.clocks import ack_deadline, decision_deadline
from avz_bot.domain.escalations.model import (
    EscalationStatus,
    FrozenLevel,
    LevelPolicy,
    TargetKind,
)
from avz_bot.domain.partners import Member
from avz_bot.domain.privacy.reading import case_role
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.services.access_log import Shown
from avz_bot.services.board.access import BoardAccess
from avz_bot.services.board.reads import record_read
from avz_bot.services.cases.base import CaseStore, LoadedCase, People
from avz_bot.services.directory import MemberDirectory
from avz_bot.settings_sections.board import BoardSettings
from avz_bot.settings_sections.cases import CasesSettings
from storage.agreement_repositories import AGREEMENT_OPEN, AgreementRepository
from storage.board_repositories import SORTS, BoardQueries, CaseFilter, CaseLine, Totals

#: Lines shown in the smaller board parts (agreements, escalations, conferences, questions).
PART_LIMIT = 25
#: Months in the trend chart.
TREND_MONTHS = 12


@dataclass(frozen=True, slots=True)
class BoardQuery:
    """The overview's filters, sort and page, as read from the request (validated)."""

    filters: CaseFilter = field(default_factory=CaseFilter)
    sort: str = "overdue"
    descending: bool = True
    page: int = 1


@dataclass(frozen=True, slots=True)
class Overview:
    """Everything the overview page shows one reader."""

    reader: Member
    scope: BoardScope
    query: BoardQuery
    lines: list[CaseLine]
    total: int
    pages: int
    totals: Totals
    agreements: list[tuple[Any, ...]]
    escalations: list[tuple[Any, ...]]
    tvo: list[tuple[str, int, datetime]]
    conferences: list[tuple[Any, ...]]
    questions: list[tuple[Any, ...]]
    per_month: list[tuple[str, int]]
    per_municipality: list[tuple[str, int]]
    names: dict[str, str]


@dataclass(frozen=True, slots=True)
class CasePage:
    """One case as its member sees it on the board."""

    reader: Member
    loaded: LoadedCase
    agreements: list[tuple[Any, ...]]
    names: dict[str, str]
    #: Organisation code → name.
    organisations: dict[str, str] = field(default_factory=dict)
    escalations: list[tuple[Any, ...]] = field(default_factory=list)
    conferences: list[tuple[Any, ...]] = field(default_factory=list)


def _shown(overview: Overview) -> list[Shown]:
    """What the overview shows, for the access log: its cases (the lines and the cases of
    the agreements listed), escalations, conferences and questions, each once."""
    cases = [line.reference for line in overview.lines] + [str(r[0]) for r in overview.agreements]
    shown = [Shown("case", reference) for reference in dict.fromkeys(cases)]
    shown += [Shown("escalation", str(row[0])) for row in overview.escalations]
    shown += [Shown("conference", f"OV-{row[0]}-{row[1]:04d}") for row in overview.conferences]
    shown += [Shown("question", f"VR-{row[0]}-{row[1]}") for row in overview.questions]
    return shown


class BoardService:
    """The board's reads in one transaction at one moment."""

    def __init__(
        self,
        session: AsyncSession,
        now: datetime,
        calendar: WorkCalendar,
        cases: CasesSettings,
        settings: BoardSettings,
        members: MemberDirectory,
    ) -> None:
        self._session = session
        self._now = now
        self._calendar = calendar
        self._cases = cases
        self.settings = settings
        self._members = members
        self.access = BoardAccess(session, now, settings)

    @property
    def now(self) -> datetime:
        """The transaction's moment (aware UTC)."""
        return self._now

    def _soon(self) -> datetime:
        """The end of this week's working days: Saturday 00:00 local, as UTC."""
        today = self._calendar.local_date(self._now)
        saturday = today + timedelta(days=5 - today.weekday() if today.weekday() < 5 else 7)
        return self._calendar.at(saturday, datetime.min.time())

    async def member(self, user_id: str) -> Member | None:
        """The registered member ``user_id``, or None."""
        return await self._members.get(self._session, user_id)

    def scope(self, member: Member) -> BoardScope:
        """What ``member`` may read on the board."""
        return scope_for(member, self._cases.municipalities)

    async def overview(self, member: Member, query: BoardQuery) -> Overview:
        """The overview for ``member`` (logged as a read of what it shows)."""
        scope = self.scope(member)
        own = member.matrix_id if members_read_cases() else ""
        lines_scope = None if scope.all_cases else own
        queries = BoardQueries(self._session, self._now, self._soon())
        size = self.settings.page_size
        sort = query.sort if query.sort in SORTS else "overdue"
        lines, total = await queries.case_lines(
            lines_scope,
            member.matrix_id,
            query.filters,
            sort,
            query.descending,
            size,
            (max(query.page, 1) - 1) * size,
        )
        tvo = [row for row in await queries.tvo_queue() if scope.sees_tvo(row[0])]
        overview = Overview(
            reader=member,
            scope=scope,
            query=query,
            lines=lines,
            total=total,
            pages=max(1, -(-total // size)),
            totals=await queries.totals(lines_scope),
            agreements=await queries.agreements_due(own, PART_LIMIT),
            escalations=self._clocks(await queries.escalations(lines_scope, PART_LIMIT)),
            tvo=tvo,
            conferences=await queries.conferences(own, PART_LIMIT),
            questions=await queries.questions(
                scope.helpdesk_all, scope.helpdesk_themes, member.matrix_id, PART_LIMIT
            ),
            per_month=self._months(
                await queries.opened_per_month(lines_scope, self._trend_start())
            ),
            per_municipality=await queries.open_per_municipality(lines_scope),
            names=await self._names(),
        )
        await record_read(self._session, self._now, member, "board.overview", _shown(overview))
        return overview

    def _clocks(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """Each escalation row (see ``BoardQueries.escalations``) with its running clock's
        deadline appended: acknowledgement while requested, else the decision (the
        escalations domain's own arithmetic, ``ack_deadline``/``decision_deadline``);
        None when the level's policy is not stored."""
        out = []
        for row in rows:
            due = None
            if row[8] is not None:
                level = FrozenLevel(
                    row[4],
                    LevelPolicy(TargetKind(row[8]), row[9], row[10], row[11], row[12]),
                    "",
                    (),
                )
                if row[3] == EscalationStatus.AANGEVRAAGD or row[7] is None:
                    due = ack_deadline(level, row[6], row[5], self._calendar)
                else:
                    due = decision_deadline(level, row[6], row[7], self._calendar)
            out.append((*row, due))
        return out

    def _trend_start(self) -> datetime:
        today = self._calendar.local_date(self._now)
        year, month = today.year, today.month - (TREND_MONTHS - 1)
        while month < 1:
            year, month = year - 1, month + 12
        return self._calendar.at(today.replace(year=year, month=month, day=1), datetime.min.time())

    def _months(self, opened: list[datetime]) -> list[tuple[str, int]]:
        """Cases opened per local month, oldest month first (``YYYY-MM``, count)."""
        start = self._calendar.local_date(self._trend_start())
        keys = []
        year, month = start.year, start.month
        for _ in range(TREND_MONTHS):
            keys.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        counts = dict.fromkeys(keys, 0)
        for instant in opened:
            day = self._calendar.local_date(instant)
            key = f"{day.year:04d}-{day.month:02d}"
            if key in counts:
                counts[key] += 1
        return list(counts.items())

    async def _names(self) -> dict[str, str]:
        return {
            user: member.display_name
            for user, member in (await self._members.members(self._session)).items()
        }

    async def case(self, member: Member, reference: str) -> CasePage | None:
        """The case page, or None when it does not exist *or* the reader may not see it
        (``cases.check(VIEW)``, as ``!casus``): a non-member learns nothing."""
        store = CaseStore(
            self._session,
            now=self._now,
            people=People(self._session, self._members),
            device_cross_signed=True,
        )
        row = await store.cases.by_reference(reference.upper())
        if row is None:
            return None
        loaded = await store.load(row)
        if check(CaseAction.VIEW, loaded.state, member) is not None:
            return None
        agreements = [
            (a.number, a.description, a.owner_user, a.owner_org, a.deadline)
            for a in await AgreementRepository(self._session).list_for_case(
                row.id, statuses=[AGREEMENT_OPEN]
            )
        ]
        await record_read(
            self._session,
            self._now,
            member,
            "board.case",
            [Shown("case", row.reference)],
            role=case_role(loaded.state, member.matrix_id),
        )
        directory = await self._members.members(self._session)
        organisations = {m.organisation.code: m.organisation.name for m in directory.values()}
        queries = BoardQueries(self._session, self._now, self._soon())
        return CasePage(
            member,
            loaded,
            agreements,
            await self._names(),
            organisations,
            self._clocks(await queries.escalations(member.matrix_id, PART_LIMIT, row.id)),
            await queries.conferences(member.matrix_id, PART_LIMIT, row.id),
        )
