"""Requests of persons concerned and restricted pseudonyms, and the reads across areas
that the privacy area needs (a person's cases, a case's rows for the access export).
Never commits (see ``storage.sql``)."""

from __future__ import annotations

import builtins
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.case_models import CaseRecord
from storage.privacy_models import PrivacyRequestRecord, PrivacyRestrictionRecord
from storage.signal_models import CasePersonRecord, SignalRecord
from storage.sql import _fetch_rows, _insert_numbered, _to_row


@dataclass(frozen=True, slots=True)
class PrivacyRequestRow:
    """One request (see ``storage.privacy_models.PrivacyRequestRecord``)."""

    id: int
    year: int
    number: int
    kind: str
    status: str
    pseudonyms: dict[str, Any]
    received_on: date
    due_on: date
    extension_reason: str | None
    registered_by: str
    created_at: datetime
    closed_at: datetime | None
    told: dict[str, Any]

    @property
    def reference(self) -> str:
        """``PV-<year>-<number>``."""
        return f"PV-{self.year}-{self.number:04d}"

    @property
    def person(self) -> tuple[str, ...]:
        """The person's pseudonyms (every key version)."""
        return tuple(self.pseudonyms.get("all", ()))


class PrivacyRequestRepository:
    """Requests ``PV-…``: numbered per year."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(self, **values: Any) -> PrivacyRequestRow:
        """Store a request (``values``: the columns but ``number``)."""
        new_id = await _insert_numbered(
            self._session,
            PrivacyRequestRecord,
            values,
            scope=PrivacyRequestRecord.year == values["year"],
            number=PrivacyRequestRecord.number,
            constraint="uq_privacy_requests_year_number",
        )
        row = await self.get(new_id)
        assert row is not None
        return row

    async def get(self, request_id: int) -> PrivacyRequestRow | None:
        """The request with this id."""
        rows = await _fetch_rows(
            self._session,
            PrivacyRequestRow,
            select(PrivacyRequestRecord).where(PrivacyRequestRecord.id == request_id),
        )
        return rows[0] if rows else None

    async def by_reference(self, year: int, number: int) -> PrivacyRequestRow | None:
        """The request ``PV-<year>-<number>``."""
        rows = await _fetch_rows(
            self._session,
            PrivacyRequestRow,
            select(PrivacyRequestRecord).where(
                PrivacyRequestRecord.year == year, PrivacyRequestRecord.number == number
            ),
        )
        return rows[0] if rows else None

    async def list_open(self, limit: int, offset: int) -> tuple[list[PrivacyRequestRow], int]:
        """Open requests, earliest due first (one page) and how many there are."""
        where = PrivacyRequestRecord.status == "open"
        rows = await _fetch_rows(
            self._session,
            PrivacyRequestRow,
            select(PrivacyRequestRecord)
            .where(where)
            .order_by(PrivacyRequestRecord.due_on, PrivacyRequestRecord.id)
            .limit(limit)
            .offset(offset),
        )
        total = await self._session.scalar(
            select(func.count()).select_from(PrivacyRequestRecord).where(where)
        )
        return rows, int(total or 0)

    async def update(self, request_id: int, **values: Any) -> None:
        """Set columns of one request."""
        await self._session.execute(
            update(PrivacyRequestRecord)
            .where(PrivacyRequestRecord.id == request_id)
            .values(**values)
        )

    async def forget_person(self, request_id: int) -> None:
        """After an erasure: the request keeps its reference, kind and dates, not the
        person's pseudonyms."""
        await self.update(request_id, pseudonyms={"all": []})


class RestrictionRepository:
    """Restricted pseudonyms (AVG art. 18)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def restrict(self, pseudonyms: Collection[str], request_id: int, now: datetime) -> None:
        """Restrict every pseudonym (again: a no-op)."""
        known = await self.restricted(pseudonyms)
        for pseudonym in set(pseudonyms) - known:
            self._session.add(
                PrivacyRestrictionRecord(pseudonym=pseudonym, request_id=request_id, created_at=now)
            )
        await self._session.flush()

    async def lift(self, pseudonyms: Collection[str]) -> int:
        """Lift the restriction; returns how many pseudonyms were restricted."""
        result = await self._session.execute(
            delete(PrivacyRestrictionRecord).where(
                PrivacyRestrictionRecord.pseudonym.in_(list(pseudonyms))
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def restricted(self, pseudonyms: Collection[str]) -> builtins.set[str]:
        """Which of ``pseudonyms`` are restricted."""
        if not pseudonyms:
            return set()
        found = await self._session.scalars(
            select(PrivacyRestrictionRecord.pseudonym).where(
                PrivacyRestrictionRecord.pseudonym.in_(list(pseudonyms))
            )
        )
        return set(found)


@dataclass(frozen=True, slots=True)
class PersonCase:
    """A case linked to a person: through ``!casus persoon`` or a triaged signal."""

    id: int
    reference: str
    status: str
    municipality: str
    case_type: str
    created_at: datetime


class PersonLinks:
    """What is linked to a person's pseudonyms across areas (read only)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def signal_references(self, pseudonyms: Collection[str]) -> list[str]:
        """The references of every stored signal about the person."""
        if not pseudonyms:
            return []
        rows = await self._session.execute(
            select(SignalRecord.year, SignalRecord.number).where(
                SignalRecord.pseudonym.in_(list(pseudonyms))
            )
        )
        return [f"SIG-{year}-{number:04d}" for year, number in rows]

    async def cases(self, pseudonyms: Collection[str]) -> list[PersonCase]:
        """Every case linked to the person (open or closed), oldest first."""
        if not pseudonyms:
            return []
        names = list(pseudonyms)
        linked = select(CasePersonRecord.case_id).where(CasePersonRecord.pseudonym.in_(names))
        triaged = select(SignalRecord.case_id).where(
            SignalRecord.pseudonym.in_(names), SignalRecord.case_id.is_not(None)
        )
        records = await self._session.scalars(
            select(CaseRecord)
            .where(CaseRecord.id.in_(linked.union(triaged)))
            .order_by(CaseRecord.id)
        )
        return [_to_row(PersonCase, r) for r in records]
