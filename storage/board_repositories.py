"""The case board's storage: login links and sessions (hashes), and its read queries.

The reads are built for a province: one statement per board part, aggregated in the
database (agreement and escalation counts are grouped sub-selects joined to the cases,
not per-case follow-ups), one window (``LIMIT``/``OFFSET``) of lines plus one count.
``member`` narrows every read to the cases the user is a current member of; ``None``
means every case (the caller decides, from ``avz_bot.domain.board.permissions``).
Like every repository: never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.conferences.state import ConferenceStatus
from avz_bot.domain.escalations.model import OPEN_STATUSES
from avz_bot.domain.helpdesk.status import QuestionStatus
from avz_bot.domain.signals.lifecycle import SignalStatus, TriageStatus
from storage.agreement_models import AgreementRecord
from storage.agreement_repositories import AGREEMENT_OPEN
from storage.board_models import BoardLinkRecord, BoardSessionRecord
from storage.case_models import CaseMemberRecord, CaseRecord
from storage.case_repositories import CLOSED_STATUS
from storage.conference_models import ConferenceRecord
from storage.escalation_models import EscalationLevelRecord, EscalationRecord
from storage.helpdesk_models import HelpdeskQuestionRecord
from storage.signal_models import SignalRecord

#: Sort keys the board offers → the column expression (a second key keeps pages stable).
SORTS = ("reference", "municipality", "type", "status", "regie", "overdue", "opened")


class BoardAccessRepository:
    """Single-use links and sessions, stored as hashes only."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_link(
        self, token_hash: str, user_id: str, now: datetime, expires: datetime
    ) -> None:
        """Store a new link."""
        self._session.add(
            BoardLinkRecord(
                token_hash=token_hash,
                user_id=user_id,
                created_at=now,
                expires_at=expires,
                used_at=None,
            )
        )
        await self._session.flush()

    async def redeem_link(self, token_hash: str, now: datetime) -> str | None:
        """Mark the link used and return its user, or None when it is unknown, used or
        expired. One ``UPDATE … WHERE used_at IS NULL``: two redemptions race to one."""
        result: Any = await self._session.execute(
            update(BoardLinkRecord)
            .where(
                BoardLinkRecord.token_hash == token_hash,
                BoardLinkRecord.used_at.is_(None),
                BoardLinkRecord.expires_at > now,
            )
            .values(used_at=now)
        )
        if result.rowcount != 1:
            return None
        return await self._session.scalar(
            select(BoardLinkRecord.user_id).where(BoardLinkRecord.token_hash == token_hash)
        )

    async def add_session(
        self, session_hash: str, user_id: str, origin: str, now: datetime, expires: datetime
    ) -> None:
        """Store a new session."""
        self._session.add(
            BoardSessionRecord(
                session_hash=session_hash,
                user_id=user_id,
                origin=origin,
                created_at=now,
                expires_at=expires,
            )
        )
        await self._session.flush()

    async def session_user(self, session_hash: str, now: datetime) -> str | None:
        """The user of a live session, or None (unknown or expired)."""
        return await self._session.scalar(
            select(BoardSessionRecord.user_id).where(
                BoardSessionRecord.session_hash == session_hash,
                BoardSessionRecord.expires_at > now,
            )
        )

    async def purge(self, now: datetime) -> None:
        """Forget expired sessions and links (they are refused anyway)."""
        await self._session.execute(
            delete(BoardSessionRecord).where(BoardSessionRecord.expires_at <= now)
        )
        await self._session.execute(
            delete(BoardLinkRecord).where(BoardLinkRecord.expires_at <= now)
        )


@dataclass(frozen=True, slots=True)
class CaseFilter:
    """The board's filters (None or False: not filtered)."""

    municipality: str | None = None
    case_type: str | None = None
    status: str | None = None
    no_regie: bool = False
    overdue: bool = False


@dataclass(frozen=True, slots=True)
class CaseLine:
    """One open case as the board lists it (no content: counts and who holds regie)."""

    reference: str
    municipality: str
    case_type: str
    status: str
    regie_holder: str | None
    created_at: datetime
    overdue: int
    due_soon: int
    escalations: int
    is_member: bool


@dataclass(frozen=True, slots=True)
class Totals:
    """Counts over everything the reader may see (not only the page)."""

    open_cases: int
    no_regie: int
    overdue_agreements: int
    due_soon_agreements: int


def _is_member(user_id: str) -> ColumnElement[bool]:
    return exists().where(
        CaseMemberRecord.case_id == CaseRecord.id,
        CaseMemberRecord.matrix_id == user_id,
        CaseMemberRecord.left_at.is_(None),
    )


def _filtered(filters: CaseFilter, overdue: Any) -> list[ColumnElement[bool]]:
    """The filters' conditions (``overdue``: the case's count of overdue agreements)."""
    conditions: list[ColumnElement[bool]] = []
    if filters.municipality:
        conditions.append(CaseRecord.municipality == filters.municipality)
    if filters.case_type:
        conditions.append(CaseRecord.case_type == filters.case_type)
    if filters.status:
        conditions.append(CaseRecord.status == filters.status)
    if filters.no_regie:
        conditions.append(CaseRecord.regie_holder.is_(None))
    if filters.overdue:
        conditions.append(overdue > 0)
    return conditions


class BoardQueries:
    """Everything the board reads, one statement per part."""

    def __init__(self, session: AsyncSession, now: datetime, soon: datetime) -> None:
        self._session = session
        self._now = now
        self._soon = soon

    def _scope(self, member: str | None) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = [CaseRecord.status != CLOSED_STATUS]
        if member is not None:
            conditions.append(_is_member(member))
        return conditions

    def _agreement_counts(self) -> Any:
        open_ = AgreementRecord.status == AGREEMENT_OPEN
        return (
            select(
                AgreementRecord.case_id.label("case_id"),
                func.sum(case((AgreementRecord.deadline < self._now, 1), else_=0)).label("overdue"),
                func.sum(
                    case(
                        (
                            and_(
                                AgreementRecord.deadline >= self._now,
                                AgreementRecord.deadline < self._soon,
                            ),
                            1,
                        ),
                        else_=0,
                    )
                ).label("soon"),
            )
            .where(open_, AgreementRecord.deadline < self._soon)
            .group_by(AgreementRecord.case_id)
            .subquery()
        )

    def _escalation_counts(self) -> Any:
        return (
            select(EscalationRecord.case_id.label("case_id"), func.count().label("open"))
            .where(EscalationRecord.status.in_([s.value for s in OPEN_STATUSES]))
            .group_by(EscalationRecord.case_id)
            .subquery()
        )

    async def case_lines(
        self,
        scope: str | None,
        reader: str,
        filters: CaseFilter,
        sort: str,
        descending: bool,
        limit: int,
        offset: int,
    ) -> tuple[list[CaseLine], int]:
        """One page of open cases in ``scope`` (a member, or None for all) and the total."""
        agreements, escalations = self._agreement_counts(), self._escalation_counts()
        overdue = func.coalesce(agreements.c.overdue, 0)
        conditions = self._scope(scope) + _filtered(filters, overdue)
        columns: dict[str, Any] = {
            "reference": CaseRecord.id,
            "municipality": CaseRecord.municipality,
            "type": CaseRecord.case_type,
            "status": CaseRecord.status,
            "regie": CaseRecord.regie_holder,
            "overdue": overdue,
            "opened": CaseRecord.created_at,
        }
        key = columns.get(sort, CaseRecord.id)
        order = [key.desc() if descending else key.asc(), CaseRecord.id.asc()]
        base = (
            select(
                CaseRecord.reference,
                CaseRecord.municipality,
                CaseRecord.case_type,
                CaseRecord.status,
                CaseRecord.regie_holder,
                CaseRecord.created_at,
                overdue.label("overdue"),
                func.coalesce(agreements.c.soon, 0),
                func.coalesce(escalations.c.open, 0),
                _is_member(reader),
            )
            .outerjoin(agreements, agreements.c.case_id == CaseRecord.id)
            .outerjoin(escalations, escalations.c.case_id == CaseRecord.id)
            .where(*conditions)
        )
        rows = (
            await self._session.execute(base.order_by(*order).limit(limit).offset(offset))
        ).all()
        total = await self._session.scalar(select(func.count()).select_from(base.subquery()))
        lines = [
            CaseLine(
                r[0], r[1], r[2], r[3], r[4], r[5], int(r[6]), int(r[7]), int(r[8]), bool(r[9])
            )
            for r in rows
        ]
        return lines, int(total or 0)

    async def totals(self, scope: str | None) -> Totals:
        """Open cases, cases without regie and open agreements overdue / due soon, in scope."""
        conditions = self._scope(scope)
        row = (
            await self._session.execute(
                select(
                    func.count(), func.sum(case((CaseRecord.regie_holder.is_(None), 1), else_=0))
                ).where(*conditions)
            )
        ).one()
        agreements = (
            await self._session.execute(
                select(
                    func.sum(case((AgreementRecord.deadline < self._now, 1), else_=0)),
                    func.sum(case((AgreementRecord.deadline >= self._now, 1), else_=0)),
                )
                .join(CaseRecord, CaseRecord.id == AgreementRecord.case_id)
                .where(
                    AgreementRecord.status == AGREEMENT_OPEN,
                    AgreementRecord.deadline < self._soon,
                    *conditions,
                )
            )
        ).one()
        return Totals(
            int(row[0] or 0), int(row[1] or 0), int(agreements[0] or 0), int(agreements[1] or 0)
        )

    async def agreements_due(self, member: str, limit: int) -> list[tuple[Any, ...]]:
        """Open agreements overdue or due soon in the member's own cases, earliest first:
        (case reference, number, description, owner user, owner org, deadline)."""
        rows = await self._session.execute(
            select(
                CaseRecord.reference,
                AgreementRecord.number,
                AgreementRecord.description,
                AgreementRecord.owner_user,
                AgreementRecord.owner_org,
                AgreementRecord.deadline,
            )
            .join(CaseRecord, CaseRecord.id == AgreementRecord.case_id)
            .where(
                AgreementRecord.status == AGREEMENT_OPEN,
                AgreementRecord.deadline < self._soon,
                *self._scope(member),
            )
            .order_by(AgreementRecord.deadline.asc(), AgreementRecord.id.asc())
            .limit(limit)
        )
        return [tuple(r) for r in rows.all()]

    def _of_case(self, case_id: int | None) -> list[ColumnElement[bool]]:
        return [] if case_id is None else [CaseRecord.id == case_id]

    async def escalations(
        self, scope: str | None, limit: int, case_id: int | None = None
    ) -> list[tuple[Any, ...]]:
        """Open escalations in scope (of one case, if given), longest waiting first:
        (reference, case reference, route, status, level, level started at, urgent,
        acknowledged at, and the current level's clock policy: target kind, acknowledgement
        working hours, decision working days, urgent minutes, urgent hours)."""
        rows = await self._session.execute(
            select(
                EscalationRecord.reference,
                CaseRecord.reference,
                EscalationRecord.route,
                EscalationRecord.status,
                EscalationRecord.current_level,
                EscalationRecord.level_started_at,
                EscalationRecord.urgent,
                EscalationRecord.acknowledged_at,
                EscalationLevelRecord.target_kind,
                EscalationLevelRecord.ack_working_hours,
                EscalationLevelRecord.decision_working_days,
                EscalationLevelRecord.urgent_ack_minutes,
                EscalationLevelRecord.urgent_decision_hours,
            )
            .join(CaseRecord, CaseRecord.id == EscalationRecord.case_id)
            .outerjoin(
                EscalationLevelRecord,
                and_(
                    EscalationLevelRecord.escalation_id == EscalationRecord.id,
                    EscalationLevelRecord.number == EscalationRecord.current_level,
                ),
            )
            .where(
                EscalationRecord.status.in_([s.value for s in OPEN_STATUSES]),
                *self._scope(scope),
                *self._of_case(case_id),
            )
            .order_by(EscalationRecord.level_started_at.asc())
            .limit(limit)
        )
        return [tuple(r) for r in rows.all()]

    async def conferences(
        self, member: str, limit: int, case_id: int | None = None
    ) -> list[tuple[Any, ...]]:
        """Planned conferences from now on in the member's cases (of one case, if given):
        (year, number, case reference, starts at, duration in minutes)."""
        rows = await self._session.execute(
            select(
                ConferenceRecord.year,
                ConferenceRecord.number,
                CaseRecord.reference,
                ConferenceRecord.starts_at,
                ConferenceRecord.duration_minutes,
            )
            .join(CaseRecord, CaseRecord.id == ConferenceRecord.case_id)
            .where(
                ConferenceRecord.status == ConferenceStatus.GEPLAND,
                ConferenceRecord.starts_at >= self._now,
                *self._scope(member),
                *self._of_case(case_id),
            )
            .order_by(ConferenceRecord.starts_at.asc())
            .limit(limit)
        )
        return [tuple(r) for r in rows.all()]

    async def tvo_queue(self) -> list[tuple[str, int, datetime]]:
        """Per municipality: signals waiting for triage, and since when the oldest waits."""
        waiting = and_(
            SignalRecord.status == SignalStatus.ACTIEF,
            SignalRecord.municipality.is_not(None),
            or_(
                SignalRecord.triage == TriageStatus.OPEN,
                and_(
                    SignalRecord.triage == TriageStatus.MONITOREN,
                    SignalRecord.relist_at <= self._now,
                ),
            ),
        )
        rows = await self._session.execute(
            select(SignalRecord.municipality, func.count(), func.min(SignalRecord.created_at))
            .where(waiting)
            .group_by(SignalRecord.municipality)
            .order_by(SignalRecord.municipality)
        )
        return [(str(r[0]), int(r[1]), r[2]) for r in rows.all()]

    async def questions(
        self, everything: bool, themes: frozenset[str], asker: str, limit: int
    ) -> list[tuple[Any, ...]]:
        """Open or picked-up helpdesk questions the reader may see, oldest first:
        (year, number, theme, status, created at)."""
        conditions: list[ColumnElement[bool]] = [
            HelpdeskQuestionRecord.status.in_(
                [QuestionStatus.OPEN.value, QuestionStatus.CLAIMED.value]
            )
        ]
        if not everything:
            conditions.append(
                or_(
                    HelpdeskQuestionRecord.asker == asker,
                    HelpdeskQuestionRecord.claimed_by == asker,
                    HelpdeskQuestionRecord.theme.in_(sorted(themes)),
                )
            )
        rows = await self._session.execute(
            select(
                HelpdeskQuestionRecord.year,
                HelpdeskQuestionRecord.number,
                HelpdeskQuestionRecord.theme,
                HelpdeskQuestionRecord.status,
                HelpdeskQuestionRecord.created_at,
            )
            .where(*conditions)
            .order_by(HelpdeskQuestionRecord.created_at.asc())
            .limit(limit)
        )
        return [tuple(r) for r in rows.all()]

    async def opened_per_month(self, scope: str | None, since: datetime) -> list[datetime]:
        """When each case in scope (open or closed) opened since ``since``: the trend
        chart buckets them by month in local time."""
        conditions: list[ColumnElement[bool]] = [CaseRecord.created_at >= since]
        if scope is not None:
            conditions.append(_is_member(scope))
        rows = await self._session.execute(select(CaseRecord.created_at).where(*conditions))
        return [r[0] for r in rows.all()]

    async def open_per_municipality(self, scope: str | None) -> list[tuple[str, int]]:
        """Open cases in scope per municipality."""
        rows = await self._session.execute(
            select(CaseRecord.municipality, func.count())
            .where(*self._scope(scope))
            .group_by(CaseRecord.municipality)
            .order_by(func.count().desc())
        )
        return [(str(r[0]), int(r[1])) for r in rows.all()]
