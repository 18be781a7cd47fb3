"""Requests of persons concerned and restricted pseudonyms, and the reads across areas
that the privacy area needs (a person's cases, a case's rows for the access export).
Never commits (see ``storage.sql``)."""

from __future__ import annotations

import builtins
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit_models import AuditLogRecord
from storage.base import Base
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


#: Columns an access export leaves out: other people's identities (AVG art. 15(4): the
#: professionals appear by organisation), rooms, and technical keys and pseudonyms.
LEFT_OUT = frozenset(
    {
        "id",
        "pseudonym",
        "key_version",
        "version",
        "room_id",
        "contact_room",
        "linked_room",
        "thread_root",
        "created_by",
        "owner_user",
        "professional",
        "actor",
        "requester",
        "author",
        "organiser",
        "regie_holder",
        "acknowledged_by",
        "linked_by",
        "matrix_id",
        "from_user",
        "to_user",
        "by_user",
        "case_id",
        "signal_id",
        "other_signal_id",
        "conference_id",
        "agreement_id",
        "escalation_id",
    }
)


def plain(value: Any) -> Any:
    """A column value as JSON: dates and times in ISO 8601, the rest as is."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


class PersonData:
    """Raw rows of any table by one column's values (the access export and the erasure
    read every area's tables through this one reader)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def rows(
        self, table: str, column: str, values: Collection[Any], **equal: Any
    ) -> builtins.list[dict[str, Any]]:
        """Every row of ``table`` whose ``column`` is one of ``values`` (and whose other
        columns equal ``equal``), as column → value, in primary-key order."""
        if not values:
            return []
        t = Base.metadata.tables[table]
        stmt = select(t).where(t.c[column].in_(list(values)))
        for name, value in equal.items():
            stmt = stmt.where(t.c[name] == value)
        stmt = stmt.order_by(*t.primary_key.columns)
        return [dict(row._mapping) for row in await self._session.execute(stmt)]

    async def delete(self, table: str, column: str, values: Collection[Any]) -> int:
        """Delete the rows of ``table`` whose ``column`` is one of ``values``."""
        if not values:
            return 0
        t = Base.metadata.tables[table]
        result = await self._session.execute(t.delete().where(t.c[column].in_(list(values))))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


#: A Matrix user id inside a value (e.g. an audit entry's details).
_MATRIX_USER = re.compile(r"@[^\s:]+:[A-Za-z0-9.:-]+")
#: What an export shows instead of a professional's Matrix id.
PROFESSIONAL = "(medewerker)"


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return _MATRIX_USER.sub(PROFESSIONAL, value)
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    return value


def exported(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` as an export shows it (:data:`LEFT_OUT` left out, professionals' Matrix
    ids inside values masked, values as JSON)."""
    return {k: _masked(plain(v)) for k, v in row.items() if k not in LEFT_OUT}


#: The audit actions that record deletions by retention (the ops job's per-table counts,
#: a signal's deletion).
RETENTION_ACTIONS = ("retention.deleted", "signal.deleted")


async def deletions(
    session: AsyncSession, since: datetime, until: datetime
) -> builtins.list[tuple[datetime, str, int]]:
    """(moment, table, count) of every retention deletion in [since, until), from the
    audit trail, oldest first."""
    rows = await session.execute(
        select(
            AuditLogRecord.occurred_at,
            AuditLogRecord.action,
            AuditLogRecord.entity_id,
            AuditLogRecord.details,
        )
        .where(
            AuditLogRecord.action.in_(RETENTION_ACTIONS),
            AuditLogRecord.occurred_at >= since,
            AuditLogRecord.occurred_at < until,
        )
        .order_by(AuditLogRecord.occurred_at)
    )
    return [
        (at, "signals", 1)
        if action == "signal.deleted"
        else (at, str(table), int(details.get("count", 0)))
        for at, action, table, details in rows
    ]


async def signals_deleted_by(session: AsyncSession, until: datetime) -> int:
    """How many signals are due for deletion before ``until``."""
    total = await session.scalar(
        select(func.count()).select_from(SignalRecord).where(SignalRecord.delete_at < until)
    )
    return int(total or 0)
