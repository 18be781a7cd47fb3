"""Aggregate queries for trend reports and operational gauges.

Every method is a bounded query: counts are aggregated in the database (``GROUP BY``
with ``SUM(CASE …)`` per period, so the current and the previous period come from one
statement); rows are only returned where a median needs the individual durations, and
then only for the two periods asked about. No query runs per case. Municipality filters
are applied in the database. Instants are aware UTC; repositories never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.agreements.status import AgreementStatus
from storage.agreement_models import AgreementPostponementRecord, AgreementRecord
from storage.agreement_repositories import AGREEMENT_OPEN
from storage.audit_models import AuditLogRecord
from storage.case_models import CaseRecord
from storage.case_repositories import CLOSED_STATUS, OPEN_CASE_STATUSES

#: Audit actions that give a case a (new) regiehouder (``case.<event kind>``).
REGIE_HOLDER_ACTIONS = ("case.regie_taken", "case.regie_assigned", "case.regie_transferred")
#: Agreement statuses that count for the report (``vervallen`` ones are left out).
COUNTED_AGREEMENT_STATUSES = (AGREEMENT_OPEN, AgreementStatus.KLAAR)
AGREEMENT_DONE = AgreementStatus.KLAAR

Window = tuple[datetime, datetime]
"""A half-open UTC interval ``[start, end)``."""


def _within(column: Any, window: Window) -> ColumnElement[bool]:
    return and_(column >= window[0], column < window[1])


def _count_if(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


@dataclass(frozen=True, slots=True)
class CaseloadRow:
    """Counts of one municipality × case type; ``*_prev`` for the previous period."""

    municipality: str
    case_type: str
    opened: int
    active: int
    closed: int
    opened_prev: int
    active_prev: int
    closed_prev: int


@dataclass(frozen=True, slots=True)
class FirstRegieRow:
    """A case opened in one of the two periods and its first regie event (if any)."""

    case_type: str
    municipality: str
    created_at: datetime
    first_regie_at: datetime | None


@dataclass(frozen=True, slots=True)
class RegieChangeRow:
    """A case that had a regiehouder by the end of the current period: its first regie
    event and how many regie events fell in each period."""

    created_at: datetime
    closed_at: datetime | None
    first_regie_at: datetime
    events: int
    events_prev: int


@dataclass(frozen=True, slots=True)
class AgreementCountRow:
    """Agreements of one municipality due in each period (current deadline)."""

    municipality: str
    due: int
    on_time: int
    postponed: int
    due_prev: int
    on_time_prev: int
    postponed_prev: int


@dataclass(frozen=True, slots=True)
class LateRow:
    """An agreement finished late or open past its deadline."""

    municipality: str
    deadline: datetime
    completed_at: datetime | None


@dataclass(frozen=True, slots=True)
class GaugeRow:
    """Operational figures of one municipality now."""

    municipality: str
    open_cases: int
    without_regie: int
    overdue_agreements: int


class ReportRepository:
    """The aggregate queries behind ``avz_bot.services.reports.service``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _cases_filter(self, municipality: str | None) -> list[ColumnElement[bool]]:
        return [CaseRecord.municipality == municipality] if municipality else []

    async def _rows(self, stmt: Select[Any]) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in (await self._session.execute(stmt)).all()]

    async def caseload(
        self, current: Window, previous: Window, municipality: str | None = None
    ) -> list[CaseloadRow]:
        """Opened / active / closed per municipality × case type in both periods.

        Active: opened before the period's end and not closed before its start.
        ``previous`` must end where ``current`` starts (or earlier).
        """
        c = CaseRecord
        columns = []
        for window in (current, previous):
            columns += [
                _count_if(_within(c.created_at, window)),
                _count_if(
                    and_(
                        c.created_at < window[1],
                        or_(c.closed_at.is_(None), c.closed_at >= window[0]),
                    )
                ),
                _count_if(_within(c.closed_at, window)),
            ]
        stmt = (
            select(c.municipality, c.case_type, *columns)
            .where(
                c.created_at < current[1],
                or_(c.closed_at.is_(None), c.closed_at >= previous[0]),
                *self._cases_filter(municipality),
            )
            .group_by(c.municipality, c.case_type)
        )
        return [
            CaseloadRow(*(row[:2]), *(int(v) for v in row[2:]))
            for row in await self._rows(cast("Select[Any]", stmt))
        ]

    async def opened_per_month(
        self, months: Sequence[Window], municipality: str | None = None
    ) -> dict[str, list[int]]:
        """Case type → cases opened in each of ``months`` (UTC windows, in order)."""
        if not months:
            return {}
        c = CaseRecord
        stmt = (
            select(c.case_type, *(_count_if(_within(c.created_at, m)) for m in months))
            .where(
                c.created_at >= months[0][0],
                c.created_at < months[-1][1],
                *self._cases_filter(municipality),
            )
            .group_by(c.case_type)
        )
        return {
            row[0]: [int(v) for v in row[1:]] for row in await self._rows(cast("Select[Any]", stmt))
        }

    async def first_regie(
        self, window: Window, municipality: str | None = None
    ) -> list[FirstRegieRow]:
        """Cases opened in ``window`` with their first regie event (``None``: none yet)."""
        c, a = CaseRecord, AuditLogRecord
        stmt = (
            select(c.case_type, c.municipality, c.created_at, func.min(a.occurred_at))
            .select_from(c)
            .outerjoin(
                a,
                and_(
                    a.entity_type == "case",
                    a.entity_id == c.reference,
                    a.action.in_(REGIE_HOLDER_ACTIONS),
                ),
            )
            .where(_within(c.created_at, window), *self._cases_filter(municipality))
            .group_by(c.id, c.case_type, c.municipality, c.created_at)
        )
        return [FirstRegieRow(*row) for row in await self._rows(cast("Select[Any]", stmt))]

    async def regie_changes(
        self, current: Window, previous: Window, municipality: str | None = None
    ) -> list[RegieChangeRow]:
        """Per case with a regie event before ``current`` ends and open during either
        period: its first regie event and the number of regie events in each period."""
        c, a = CaseRecord, AuditLogRecord
        events = (
            select(
                a.entity_id.label("reference"),
                func.min(a.occurred_at).label("first"),
                _count_if(_within(a.occurred_at, current)).label("n"),
                _count_if(_within(a.occurred_at, previous)).label("n_prev"),
            )
            .where(
                a.entity_type == "case",
                a.action.in_(REGIE_HOLDER_ACTIONS),
                a.occurred_at < current[1],
            )
            .group_by(a.entity_id)
            .subquery()
        )
        stmt = (
            select(c.created_at, c.closed_at, events.c.first, events.c.n, events.c.n_prev)
            .join(events, events.c.reference == c.reference)
            .where(
                c.created_at < current[1],
                or_(c.closed_at.is_(None), c.closed_at >= previous[0]),
                *self._cases_filter(municipality),
            )
        )
        return [
            RegieChangeRow(row[0], row[1], row[2], int(row[3]), int(row[4]))
            for row in await self._rows(cast("Select[Any]", stmt))
        ]

    async def vacant_now(self, municipality: str | None = None) -> list[tuple[str, datetime]]:
        """(municipality, vacant since) of every open case without a regiehouder."""
        c = CaseRecord
        stmt = select(c.municipality, c.regie_vacant_since).where(
            c.regie_holder.is_(None),
            c.regie_vacant_since.is_not(None),
            c.status.in_(OPEN_CASE_STATUSES),
            *self._cases_filter(municipality),
        )
        return [(row[0], row[1]) for row in await self._rows(cast("Select[Any]", stmt))]

    async def agreement_counts(
        self, current: Window, previous: Window, municipality: str | None = None
    ) -> list[AgreementCountRow]:
        """Per municipality: agreements due in each period, on time, postponed."""
        a, p = AgreementRecord, AgreementPostponementRecord
        on_time = and_(a.status == AGREEMENT_DONE, a.completed_at <= a.deadline)
        # One lookup set of postponed agreements rather than a probe per agreement.
        postponed = a.id.in_(select(p.agreement_id).distinct())
        columns = []
        for window in (current, previous):
            due = _within(a.deadline, window)
            columns += [
                _count_if(due),
                _count_if(and_(due, on_time)),
                _count_if(and_(due, postponed)),
            ]
        stmt = (
            select(CaseRecord.municipality, *columns)
            .join(CaseRecord, CaseRecord.id == a.case_id)
            .where(
                a.status.in_(COUNTED_AGREEMENT_STATUSES),
                a.deadline >= previous[0],
                a.deadline < current[1],
                *self._cases_filter(municipality),
            )
            .group_by(CaseRecord.municipality)
        )
        return [
            AgreementCountRow(row[0], *(int(v) for v in row[1:]))
            for row in await self._rows(cast("Select[Any]", stmt))
        ]

    async def late_agreements(
        self, window: Window, now: datetime, municipality: str | None = None
    ) -> list[LateRow]:
        """Agreements due in ``window`` finished after their deadline or open past it."""
        a = AgreementRecord
        stmt = (
            select(CaseRecord.municipality, a.deadline, a.completed_at)
            .join(CaseRecord, CaseRecord.id == a.case_id)
            .where(
                # ``status IN`` + the deadline range can use ix_agreements_status_deadline;
                # only ``klaar`` agreements have a completed_at, only open ones lack it.
                a.status.in_(COUNTED_AGREEMENT_STATUSES),
                _within(a.deadline, window),
                or_(
                    a.completed_at > a.deadline,
                    and_(a.completed_at.is_(None), a.deadline < now),
                ),
                *self._cases_filter(municipality),
            )
        )
        return [LateRow(*row) for row in await self._rows(cast("Select[Any]", stmt))]

    async def postponements(
        self, current: Window, previous: Window, municipality: str | None = None
    ) -> tuple[int, int]:
        """Postponements made in each period."""
        p = AgreementPostponementRecord
        stmt = select(_count_if(_within(p.at, current)), _count_if(_within(p.at, previous))).where(
            p.at >= previous[0], p.at < current[1]
        )
        if municipality:
            stmt = (
                stmt.join(AgreementRecord, AgreementRecord.id == p.agreement_id)
                .join(CaseRecord, CaseRecord.id == AgreementRecord.case_id)
                .where(CaseRecord.municipality == municipality)
            )
        row = (await self._rows(cast("Select[Any]", stmt)))[0]
        return int(row[0]), int(row[1])

    async def gauges(self, now: datetime) -> list[GaugeRow]:
        """Open cases, open cases without regie and overdue open agreements per
        municipality, now (two aggregate queries)."""
        c, a = CaseRecord, AgreementRecord
        cases_stmt = (
            select(c.municipality, func.count(), _count_if(c.regie_holder.is_(None)))
            .where(c.status != CLOSED_STATUS)
            .group_by(c.municipality)
        )
        overdue_stmt = (
            select(c.municipality, func.count())
            .select_from(a)
            .join(c, c.id == a.case_id)
            .where(a.status == AGREEMENT_OPEN, a.deadline < now)
            .group_by(c.municipality)
        )
        found: dict[str, list[int]] = {}
        for row in await self._rows(cast("Select[Any]", cases_stmt)):
            found[row[0]] = [int(row[1]), int(row[2]), 0]
        for row in await self._rows(cast("Select[Any]", overdue_stmt)):
            found.setdefault(row[0], [0, 0, 0])[2] = int(row[1])
        return [GaugeRow(m, *v) for m, v in sorted(found.items())]
