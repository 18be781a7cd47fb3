"""Paged reads for the lists commands show (issue 14): one page plus a count, no more.

Every method reads one window (``LIMIT``/``OFFSET``) of a list, most urgent first, in
one statement, with the rows it refers to joined in (no per-row follow-up query), and
counts the whole list in a second statement. Each filters on indexed columns (declared
beside their tables, e.g. in ``storage/agreement_models.py``), so a command's reads
follow what the asker can see, never the size of the province. Like every repository:
never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.agreement_models import AgreementRecord
from storage.agreement_repositories import AGREEMENT_OPEN, AgreementRow
from storage.audit_models import AuditLogRecord
from storage.audit_repositories import AuditEntry
from storage.case_models import CaseRecord, RegieProposalRecord
from storage.case_repositories import CLOSED_STATUS, CaseRow
from storage.regie_repositories import RegieProposalRow
from storage.schedule_models import ReminderRecord
from storage.schedule_repositories import ReminderRow
from storage.sql import _to_row


@dataclass(frozen=True, slots=True)
class Slice:
    """``limit`` rows after skipping ``offset`` (see ``avz_bot.lists.Window``)."""

    limit: int
    offset: int = 0


class ListRepository:
    """The paged lists of ``!mijn``, ``!acties``, ``!tijdlijn`` and ``!herinneringen``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _count(self, *conditions: ColumnElement[bool], table: Any) -> int:
        stmt = select(func.count()).select_from(table).where(*conditions)
        return int(await self._session.scalar(stmt) or 0)

    async def _rows(self, stmt: Select[*tuple[Any, ...]], where: Slice) -> list[Any]:
        stmt = stmt.limit(where.limit).offset(where.offset)
        result = await self._session.execute(stmt.execution_options(populate_existing=True))
        return list(result.all())

    # ------------------------------------------------------------ agreements
    async def open_agreements_of_user(
        self, matrix_id: str, where: Slice
    ) -> tuple[list[tuple[AgreementRow, str]], int]:
        """A person's own open agreements with each case's reference; earliest deadline
        (so overdue) first. Returns (page, total)."""
        conditions = (
            AgreementRecord.owner_user == matrix_id,
            AgreementRecord.status == AGREEMENT_OPEN,
        )
        stmt = (
            select(AgreementRecord, CaseRecord.reference)
            .join(CaseRecord, CaseRecord.id == AgreementRecord.case_id)
            .where(*conditions)
            .order_by(AgreementRecord.deadline, AgreementRecord.id)
        )
        rows = [(_to_row(AgreementRow, a), ref) for a, ref in await self._rows(stmt, where)]
        return rows, await self._count(*conditions, table=AgreementRecord)

    async def open_agreements_of_case(
        self, case_id: int, where: Slice
    ) -> tuple[list[AgreementRow], int]:
        """A case's open agreements, earliest deadline first. Returns (page, total)."""
        conditions = (AgreementRecord.case_id == case_id, AgreementRecord.status == AGREEMENT_OPEN)
        stmt = (
            select(AgreementRecord)
            .where(*conditions)
            .order_by(AgreementRecord.deadline, AgreementRecord.number)
        )
        rows = [_to_row(AgreementRow, a) for (a,) in await self._rows(stmt, where)]
        return rows, await self._count(*conditions, table=AgreementRecord)

    async def count_open_agreements(self, case_id: int) -> int:
        """How many agreements of the case are open (one COUNT)."""
        return await self._count(
            AgreementRecord.case_id == case_id,
            AgreementRecord.status == AGREEMENT_OPEN,
            table=AgreementRecord,
        )

    # ------------------------------------------------------------ regie
    async def cases_with_regie(self, matrix_id: str, where: Slice) -> tuple[list[CaseRow], int]:
        """Cases (not closed) in which ``matrix_id`` holds regie, oldest first."""
        conditions = (CaseRecord.regie_holder == matrix_id, CaseRecord.status != CLOSED_STATUS)
        stmt = select(CaseRecord).where(*conditions).order_by(CaseRecord.created_at, CaseRecord.id)
        rows = [_to_row(CaseRow, c) for (c,) in await self._rows(stmt, where)]
        return rows, await self._count(*conditions, table=CaseRecord)

    async def proposals_to(
        self, matrix_id: str, where: Slice
    ) -> tuple[list[tuple[RegieProposalRow, str]], int]:
        """Open regie proposals awaiting ``matrix_id``'s answer, soonest expiry first,
        with the case reference."""
        conditions = (
            RegieProposalRecord.to_user == matrix_id,
            RegieProposalRecord.resolved_at.is_(None),
        )
        stmt = (
            select(RegieProposalRecord, CaseRecord.reference)
            .join(CaseRecord, CaseRecord.id == RegieProposalRecord.case_id)
            .where(*conditions)
            .order_by(RegieProposalRecord.expires_at, RegieProposalRecord.id)
        )
        rows = [(_to_row(RegieProposalRow, p), ref) for p, ref in await self._rows(stmt, where)]
        return rows, await self._count(*conditions, table=RegieProposalRecord)

    # ------------------------------------------------------------ timeline
    async def case_timeline(self, reference: str, where: Slice) -> tuple[list[AuditEntry], int]:
        """A case's audit entries, newest first (``ix_audit_log_entity``)."""
        conditions = (AuditLogRecord.entity_type == "case", AuditLogRecord.entity_id == reference)
        stmt = (
            select(AuditLogRecord)
            .where(*conditions)
            .order_by(AuditLogRecord.occurred_at.desc(), AuditLogRecord.id.desc())
        )
        entries = [
            AuditEntry(
                id=r.id,
                occurred_at=r.occurred_at,
                actor=r.actor,
                actor_org=r.actor_org,
                action=r.action,
                room_id=r.room_id,
                entity_type=r.entity_type,
                entity_id=r.entity_id,
                details=dict(r.details),
            )
            for (r,) in await self._rows(stmt, where)
        ]
        return entries, await self._count(*conditions, table=AuditLogRecord)

    # ------------------------------------------------------------ reminders
    async def pending_reminders(self, room_id: str, where: Slice) -> tuple[list[ReminderRow], int]:
        """A room's reminders that are neither sent nor cancelled, soonest first."""
        conditions = (
            ReminderRecord.room_id == room_id,
            ReminderRecord.cancelled_at.is_(None),
            ReminderRecord.sent_at.is_(None),
        )
        stmt = (
            select(ReminderRecord)
            .where(*conditions)
            .order_by(ReminderRecord.due_at, ReminderRecord.number)
        )
        rows = [_to_row(ReminderRow, r) for (r,) in await self._rows(stmt, where)]
        return rows, await self._count(*conditions, table=ReminderRecord)
