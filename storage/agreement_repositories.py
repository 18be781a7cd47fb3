"""Repositories for agreements: who does what in a case before when, and the history of
their deadlines.

Same rules as every repository (``storage.sql``): the caller owns the transaction
(repositories never commit), results are frozen dataclasses, and a change that must be
safe under concurrency is a conditional ``UPDATE`` that returns whether its precondition
held (``postpone`` compares and sets ``agreements.version``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.agreements.status import AgreementStatus
from storage.agreement_models import AgreementPostponementRecord, AgreementRecord
from storage.sql import _fetch_rows, _insert_numbered, _rowcount

#: ``agreements.status`` values; ``open`` is the only unfinished one.
AGREEMENT_STATUSES = tuple(AgreementStatus)
AGREEMENT_OPEN = AgreementStatus.OPEN


@dataclass(frozen=True, slots=True)
class AgreementRow:
    """An agreement in a case; ``number`` is the per-case number users see."""

    id: int
    case_id: int
    number: int
    description: str
    owner_user: str | None
    owner_org: str | None
    created_by: str
    created_at: datetime
    deadline: datetime
    status: str
    completed_at: datetime | None
    note: str | None
    version: int


@dataclass(frozen=True, slots=True)
class PostponementRow:
    """One postponement of an agreement's deadline."""

    id: int
    agreement_id: int
    old_deadline: datetime
    new_deadline: datetime
    reason: str
    by_user: str
    at: datetime


class AgreementRepository:
    """Agreements of cases and the history of their deadlines."""

    #: How often ``postpone`` re-reads after losing a race with another change.
    _POSTPONE_RETRIES = 5

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(
        self,
        *,
        case_id: int,
        description: str,
        owner_user: str | None,
        owner_org: str | None,
        created_by: str,
        deadline: datetime,
        now: datetime,
    ) -> AgreementRow:
        """Store a new open agreement with the case's next number (1, 2, 3, ...).

        The owner is a person (``owner_user``, normally with their organisation) or an
        organisation (``owner_org`` only); at least one is required.
        """
        if owner_user is None and owner_org is None:
            raise ValueError("an agreement needs an owner: a person or an organisation")
        new_id = await _insert_numbered(
            self._session,
            AgreementRecord,
            {
                "case_id": case_id,
                "description": description,
                "owner_user": owner_user,
                "owner_org": owner_org,
                "created_by": created_by,
                "created_at": now,
                "deadline": deadline,
                "status": AGREEMENT_OPEN,
                "completed_at": None,
                "note": None,
                "version": 1,
            },
            scope=AgreementRecord.case_id == case_id,
            number=AgreementRecord.number,
            constraint="uq_agreements_case_id_number",
        )
        row = await self.get(new_id)
        if row is None:  # pragma: no cover - just inserted
            raise LookupError(f"agreement {new_id} vanished")
        return row

    async def _select(self, *conditions: ColumnElement[bool]) -> list[AgreementRow]:
        stmt = (
            select(AgreementRecord)
            .where(*conditions)
            .order_by(AgreementRecord.case_id, AgreementRecord.number)
        )
        return await _fetch_rows(self._session, AgreementRow, stmt)

    async def get(self, agreement_id: int) -> AgreementRow | None:
        """The agreement with this id."""
        found = await self._select(AgreementRecord.id == agreement_id)
        return found[0] if found else None

    async def by_number(self, case_id: int, number: int) -> AgreementRow | None:
        """Agreement ``number`` of the case."""
        found = await self._select(
            AgreementRecord.case_id == case_id, AgreementRecord.number == number
        )
        return found[0] if found else None

    async def list_for_case(
        self, case_id: int, *, statuses: Collection[str] | None = None
    ) -> list[AgreementRow]:
        """The case's agreements by number (only those with one of ``statuses``)."""
        conditions = [AgreementRecord.case_id == case_id]
        if statuses is not None:
            conditions.append(AgreementRecord.status.in_(list(statuses)))
        return await self._select(*conditions)

    async def open_for_user(self, matrix_id: str) -> list[AgreementRow]:
        """Open agreements owned by ``matrix_id`` personally, by case and number."""
        return await self._select(
            AgreementRecord.status == AGREEMENT_OPEN, AgreementRecord.owner_user == matrix_id
        )

    async def open_due_before(self, before: datetime) -> list[AgreementRow]:
        """Open agreements whose deadline is at or before ``before``, by case and number."""
        return await self._select(
            AgreementRecord.status == AGREEMENT_OPEN, AgreementRecord.deadline <= before
        )

    async def change_status(
        self,
        agreement_id: int,
        expected_status: str,
        new_status: str,
        now: datetime,
        *,
        note: str | None = None,
    ) -> bool:
        """Move the agreement from ``expected_status`` to ``new_status`` (e.g. ``open``
        -> ``klaar``); False if its status is something else. Finishing sets
        ``completed_at`` (reopening clears it); ``note``, when given, replaces the note."""
        values: dict[str, Any] = {
            "status": new_status,
            "completed_at": None if new_status == AGREEMENT_OPEN else now,
            "version": AgreementRecord.version + 1,
        }
        if note is not None:
            values["note"] = note
        stmt = (
            update(AgreementRecord)
            .where(AgreementRecord.id == agreement_id, AgreementRecord.status == expected_status)
            .values(**values)
        )
        return await _rowcount(self._session, stmt) == 1

    async def set_owner(
        self, agreement_id: int, owner_user: str | None, owner_org: str | None
    ) -> bool:
        """Give an open agreement another owner; False if it is not open."""
        if owner_user is None and owner_org is None:
            raise ValueError("an agreement needs an owner: a person or an organisation")
        stmt = (
            update(AgreementRecord)
            .where(AgreementRecord.id == agreement_id, AgreementRecord.status == AGREEMENT_OPEN)
            .values(owner_user=owner_user, owner_org=owner_org, version=AgreementRecord.version + 1)
        )
        return await _rowcount(self._session, stmt) == 1

    async def postpone(
        self, agreement_id: int, new_deadline: datetime, reason: str, by_user: str, now: datetime
    ) -> bool:
        """Move an open agreement's deadline and record the old one; False if the
        agreement does not exist or is not open.

        The deadline is changed with a compare-and-set on ``version``, so the recorded
        ``old_deadline`` is exactly the one replaced, also when two postponements race.
        """
        for _ in range(self._POSTPONE_RETRIES):
            current = await self.get(agreement_id)
            if current is None or current.status != AGREEMENT_OPEN:
                return False
            stmt = (
                update(AgreementRecord)
                .where(
                    AgreementRecord.id == agreement_id,
                    AgreementRecord.status == AGREEMENT_OPEN,
                    AgreementRecord.version == current.version,
                )
                .values(deadline=new_deadline, version=AgreementRecord.version + 1)
            )
            if await _rowcount(self._session, stmt) == 1:
                self._session.add(
                    AgreementPostponementRecord(
                        agreement_id=agreement_id,
                        old_deadline=current.deadline,
                        new_deadline=new_deadline,
                        reason=reason,
                        by_user=by_user,
                        at=now,
                    )
                )
                await self._session.flush()
                return True
        raise RuntimeError(f"agreement {agreement_id} kept changing; postponement not stored")

    async def postponements(self, agreement_id: int) -> list[PostponementRow]:
        """The agreement's postponements, oldest first."""
        stmt = (
            select(AgreementPostponementRecord)
            .where(AgreementPostponementRecord.agreement_id == agreement_id)
            .order_by(AgreementPostponementRecord.at, AgreementPostponementRecord.id)
        )
        return await _fetch_rows(self._session, PostponementRow, stmt)
