"""Escalations and their frozen levels; reaction targets. Repositories never commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.agreements.status import AgreementStatus
from avz_bot.domain.cases.state import CaseStatus
from avz_bot.domain.escalations.model import CLOSED_STATUSES, EscalationStatus
from storage.agreement_models import AgreementRecord
from storage.case_models import CaseRecord
from storage.escalation_models import (
    EscalationLevelRecord,
    EscalationRecord,
    EscalationSequenceRecord,
    EscalationTargetRecord,
)
from storage.sql import _dialect_insert, _fetch_rows, _rowcount, _to_row

OPEN_ESCALATION_STATUSES = tuple(s for s in EscalationStatus if s not in CLOSED_STATUSES)
#: Escalations of a closed case wait for nobody: they drop out of every "open" list.
_CASE_OPEN = CaseRecord.status != CaseStatus.GESLOTEN


@dataclass(frozen=True, slots=True)
class EscalationRow:
    """One escalation as stored."""

    id: int
    reference: str
    case_id: int
    route: str
    status: str
    urgent: bool
    partner_org: str | None
    requester: str
    requester_org: str
    reason: str
    decision_asked: str
    current_level: int
    level_started_at: datetime
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    first_acknowledged_at: datetime | None
    decision: str | None
    decided_at: datetime | None
    close_reason: str | None
    closed_at: datetime | None
    requested_at: datetime


@dataclass(frozen=True, slots=True)
class LevelSnapshot:
    """One frozen level without its people: whom it addresses by role, clocks, times."""

    escalation_id: int
    number: int
    target_kind: str
    scope: str
    ack_working_hours: float
    decision_working_days: int
    urgent_ack_minutes: float
    urgent_decision_hours: float
    started_at: datetime | None
    acknowledged_at: datetime | None
    left_at: datetime | None


@dataclass(frozen=True, slots=True)
class EscalationLevelRow:
    """One frozen level and the people it resolved to at request (Matrix ids, sorted)."""

    snapshot: LevelSnapshot
    targets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ListedEscalation:
    """An escalation for a list: with its case's municipality and its current level."""

    row: EscalationRow
    municipality: str
    level: LevelSnapshot


class EscalationRepository:
    """Escalations of cases and their frozen routes."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def next_number(self, year: int) -> int:
        """Allocate the next escalation number of ``year`` (used up only on commit)."""
        stmt = (
            _dialect_insert(self._session, EscalationSequenceRecord)
            .values(year=year, last_number=1)
            .on_conflict_do_update(
                index_elements=["year"],
                set_={"last_number": EscalationSequenceRecord.last_number + 1},
            )
            .returning(EscalationSequenceRecord.last_number)
        )
        return int((await self._session.execute(stmt)).scalar_one())

    async def create(self, levels: Sequence[dict[str, Any]], **values: Any) -> EscalationRow:
        """Store a new escalation (``values``: the columns) with its frozen ``levels``."""
        record = EscalationRecord(**values)
        self._session.add(record)
        await self._session.flush()
        for level in levels:
            people = level["targets"]
            columns = {k: v for k, v in level.items() if k != "targets"}
            self._session.add(EscalationLevelRecord(escalation_id=record.id, **columns))
            for user in people:
                self._session.add(
                    EscalationTargetRecord(
                        escalation_id=record.id, level=level["number"], matrix_id=user
                    )
                )
        await self._session.flush()
        found = await self.get(record.id)
        assert found is not None
        return found

    async def _select(
        self, *conditions: ColumnElement[bool], limit: int | None = None
    ) -> list[EscalationRow]:
        stmt = select(EscalationRecord).where(*conditions).order_by(EscalationRecord.requested_at)
        if limit is not None:
            stmt = stmt.limit(limit)
        return await _fetch_rows(self._session, EscalationRow, stmt)

    async def get(self, escalation_id: int) -> EscalationRow | None:
        """One escalation by id."""
        found = await self._select(EscalationRecord.id == escalation_id)
        return found[0] if found else None

    async def by_reference(self, reference: str) -> EscalationRow | None:
        """One escalation by its reference (``ESC-2026-3``)."""
        found = await self._select(EscalationRecord.reference == reference)
        return found[0] if found else None

    async def levels(self, escalation_id: int) -> list[EscalationLevelRow]:
        """The frozen levels in order, each with its people (two queries)."""
        stmt = (
            select(EscalationLevelRecord)
            .where(EscalationLevelRecord.escalation_id == escalation_id)
            .order_by(EscalationLevelRecord.number)
        )
        snapshots = await _fetch_rows(self._session, LevelSnapshot, stmt)
        people = select(EscalationTargetRecord.level, EscalationTargetRecord.matrix_id).where(
            EscalationTargetRecord.escalation_id == escalation_id
        )
        by_level: dict[int, list[str]] = {}
        for level, user in (await self._session.execute(people)).all():
            by_level.setdefault(int(level), []).append(str(user))
        return [
            EscalationLevelRow(snap, tuple(sorted(by_level.get(snap.number, []))))
            for snap in snapshots
        ]

    def _listed_select(self) -> Select[EscalationRecord, str, EscalationLevelRecord]:
        return (
            select(EscalationRecord, CaseRecord.municipality, EscalationLevelRecord)
            .join(CaseRecord, CaseRecord.id == EscalationRecord.case_id)
            .join(
                EscalationLevelRecord,
                (EscalationLevelRecord.escalation_id == EscalationRecord.id)
                & (EscalationLevelRecord.number == EscalationRecord.current_level),
            )
            .execution_options(populate_existing=True)
        )

    async def _listed(
        self, stmt: Select[EscalationRecord, str, EscalationLevelRecord]
    ) -> list[ListedEscalation]:
        result = await self._session.execute(stmt)
        return [
            ListedEscalation(
                _to_row(EscalationRow, esc), str(municipality), _to_row(LevelSnapshot, level)
            )
            for esc, municipality, level in result.all()
        ]

    async def list_open(self, limit: int, offset: int = 0) -> list[ListedEscalation]:
        """Open escalations with their case's municipality and current level, oldest
        request first (one query): ``limit`` of them after the first ``offset``."""
        stmt = (
            self._listed_select()
            .where(EscalationRecord.status.in_(OPEN_ESCALATION_STATUSES), _CASE_OPEN)
            .order_by(EscalationRecord.requested_at, EscalationRecord.id)
            .limit(limit)
            .offset(offset)
        )
        return await self._listed(stmt)

    async def list_for_case(
        self, case_id: int, limit: int, offset: int = 0
    ) -> list[ListedEscalation]:
        """The case's escalations, open ones first, each group oldest first (one query):
        ``limit`` of them after the first ``offset``."""
        stmt = (
            self._listed_select()
            .where(EscalationRecord.case_id == case_id)
            .order_by(
                EscalationRecord.status.not_in(OPEN_ESCALATION_STATUSES),
                EscalationRecord.requested_at,
                EscalationRecord.id,
            )
            .limit(limit)
            .offset(offset)
        )
        return await self._listed(stmt)

    async def waiting_for(self, user: str) -> list[EscalationRow]:
        """Escalations waiting for ``user`` to acknowledge (a target of the current level)."""
        stmt = (
            select(EscalationRecord)
            .join(
                EscalationTargetRecord,
                (EscalationTargetRecord.escalation_id == EscalationRecord.id)
                & (EscalationTargetRecord.level == EscalationRecord.current_level),
            )
            .join(CaseRecord, CaseRecord.id == EscalationRecord.case_id)
            .where(
                EscalationTargetRecord.matrix_id == user,
                EscalationRecord.status == EscalationStatus.AANGEVRAAGD,
                _CASE_OPEN,
            )
            .order_by(EscalationRecord.requested_at)
        )
        return await _fetch_rows(self._session, EscalationRow, stmt)

    async def count_for_case(self, case_id: int) -> int:
        """How many escalations the case has."""
        stmt = select(func.count()).where(EscalationRecord.case_id == case_id)
        return int((await self._session.execute(stmt)).scalar_one())

    async def count_open_for_case(self, case_id: int) -> int:
        """How many escalations of the case are still open (requested or acknowledged)."""
        stmt = select(func.count()).where(
            EscalationRecord.case_id == case_id,
            EscalationRecord.status.in_(OPEN_ESCALATION_STATUSES),
        )
        return int((await self._session.execute(stmt)).scalar_one())

    async def count_open(self) -> int:
        """How many escalations are open."""
        stmt = (
            select(func.count())
            .select_from(EscalationRecord)
            .join(CaseRecord, CaseRecord.id == EscalationRecord.case_id)
            .where(EscalationRecord.status.in_(OPEN_ESCALATION_STATUSES), _CASE_OPEN)
        )
        return int((await self._session.execute(stmt)).scalar_one())

    async def acknowledged_by(self, user: str) -> list[EscalationRow]:
        """Open escalations ``user`` acknowledged (a decision waits for them)."""
        stmt = (
            select(EscalationRecord)
            .join(CaseRecord, CaseRecord.id == EscalationRecord.case_id)
            .where(
                EscalationRecord.acknowledged_by == user,
                EscalationRecord.status == EscalationStatus.ONTVANGEN,
                _CASE_OPEN,
            )
            .order_by(EscalationRecord.requested_at)
        )
        return await _fetch_rows(self._session, EscalationRow, stmt)

    async def list_waiting(self) -> list[ListedEscalation]:
        """Every escalation waiting for an acknowledgement, oldest first (one query; for
        the daily digest of the coordination room, which sees all of them)."""
        stmt = (
            self._listed_select()
            .where(EscalationRecord.status == EscalationStatus.AANGEVRAAGD, _CASE_OPEN)
            .order_by(EscalationRecord.requested_at)
        )
        return await self._listed(stmt)

    async def update(self, escalation_id: int, expected_status: str, **values: Any) -> bool:
        """Change the escalation if its status is still ``expected_status`` (else False)."""
        stmt = (
            update(EscalationRecord)
            .where(
                EscalationRecord.id == escalation_id,
                EscalationRecord.status == expected_status,
            )
            .values(**values)
        )
        return await _rowcount(self._session, stmt) == 1

    async def update_level(self, escalation_id: int, number: int, **values: Any) -> None:
        """Record a level's times (``started_at``, ``acknowledged_at``, ``left_at``)."""
        stmt = (
            update(EscalationLevelRecord)
            .where(
                EscalationLevelRecord.escalation_id == escalation_id,
                EscalationLevelRecord.number == number,
            )
            .values(**values)
        )
        await _rowcount(self._session, stmt)


async def overdue_agreements_by_municipality(
    session: AsyncSession, now: datetime
) -> list[tuple[str, int]]:
    """``(municipality, count)`` of open agreements past their deadline in open cases
    (one grouped query, for the daily digest)."""
    stmt = (
        select(CaseRecord.municipality, func.count())
        .join(AgreementRecord, AgreementRecord.case_id == CaseRecord.id)
        .where(
            AgreementRecord.status == AgreementStatus.OPEN,
            AgreementRecord.deadline < now,
            CaseRecord.status != CaseStatus.GESLOTEN,
        )
        .group_by(CaseRecord.municipality)
        .order_by(CaseRecord.municipality)
    )
    return [(str(m), int(c)) for m, c in (await session.execute(stmt)).all()]
