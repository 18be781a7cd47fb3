"""Repositories for signals, matches, case persons and signals inside cases.

Same rules as every repository (``storage.sql``): the caller owns the transaction
(repositories never commit), results are frozen dataclasses, and changes that must be
safe under concurrency are one conditional statement that says whether its precondition
held. Every query is bounded by what the asker may see: one person's pseudonyms, one
professional, one municipality's agenda (with a limit), one case.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, delete, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.signals.lifecycle import SignalStatus, TriageStatus
from storage.case_models import CaseRecord
from storage.case_repositories import OPEN_CASE_STATUSES
from storage.signal_models import (
    CasePersonRecord,
    CaseSignalRecord,
    SignalMatchRecord,
    SignalRecord,
)
from storage.sql import _dialect_name, _fetch_rows, _insert_numbered, _rowcount, _upsert

T = TypeVar("T")

#: ``signals.status`` values (see ``avz_bot.domain.signals.SignalStatus``).
SIGNAL_STATUSES = tuple(SignalStatus)
#: ``signals.triage`` values (see ``avz_bot.domain.signals.TriageStatus``).
TRIAGE_STATUSES = tuple(TriageStatus)


@dataclass(frozen=True, slots=True)
class SignalRow:
    """One signal about a person (pseudonym only)."""

    id: int
    year: int
    number: int
    reference: str
    pseudonym: str
    key_version: str
    weak_key: bool
    category: str
    municipality: str | None
    professional: str
    organisation_code: str
    contact_room: str
    created_at: datetime
    expires_at: datetime
    delete_at: datetime | None
    status: str
    status_changed_at: datetime
    triage: str
    relist_at: datetime | None
    case_id: int | None


@dataclass(frozen=True, slots=True)
class CasePersonRow:
    """A case linked to its central person's pseudonym."""

    case_id: int
    pseudonym: str
    key_version: str
    weak_key: bool
    linked_by: str
    linked_room: str | None
    linked_at: datetime


@dataclass(frozen=True, slots=True)
class CaseSignalRow:
    """A worry recorded inside a case."""

    id: int
    case_id: int
    number: int
    category: str
    severity: str
    description: str
    created_by: str
    organisation_code: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """At most ``limit`` rows of a list and how many there are in all."""

    rows: list[T]
    total: int


class SignalRepository:
    """Signals and their matches."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(
        self,
        *,
        year: int,
        pseudonym: str,
        key_version: str,
        weak_key: bool,
        category: str,
        municipality: str | None,
        professional: str,
        organisation_code: str,
        contact_room: str,
        now: datetime,
        expires_at: datetime,
    ) -> SignalRow:
        """Store a new active signal with the next number of ``year``; its reference is
        ``SIG-<year>-<nnnn>`` (unique also under concurrency)."""
        signal_id = await _insert_numbered(
            self._session,
            SignalRecord,
            {
                "year": year,
                # Unique placeholder until the number is known (same transaction).
                "reference": f"new-{uuid.uuid4().hex}",
                "pseudonym": pseudonym,
                "key_version": key_version,
                "weak_key": weak_key,
                "category": category,
                "municipality": municipality,
                "professional": professional,
                "organisation_code": organisation_code,
                "contact_room": contact_room,
                "created_at": now,
                "expires_at": expires_at,
                "delete_at": None,
                "status": SignalStatus.ACTIEF,
                "status_changed_at": now,
                "triage": TriageStatus.OPEN,
                "relist_at": None,
                "case_id": None,
            },
            scope=SignalRecord.year == year,
            number=SignalRecord.number,
            constraint="uq_signals_year_number",
        )
        row = await self.get(signal_id)
        assert row is not None
        reference = f"SIG-{year}-{row.number:04d}"
        await _rowcount(
            self._session,
            update(SignalRecord).where(SignalRecord.id == signal_id).values(reference=reference),
        )
        fresh = await self.get(signal_id)
        assert fresh is not None
        return fresh

    async def lock_person(self, pseudonym: str) -> None:
        """Serialise work on one person until the transaction ends, so that two signals
        registered at the same moment cannot both miss each other.

        PostgreSQL: a transaction-scoped advisory lock on the pseudonym's hash; after it,
        each statement (READ COMMITTED) sees the other transaction's committed signal.
        SQLite needs nothing: the first write takes the database's one write lock, and
        this connection's transaction only begins there, so later reads see the other's
        committed rows (the caller writes before it looks for matches).
        """
        if _dialect_name(self._session) == "postgresql":
            await self._session.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                {"key": pseudonym},
            )

    async def _select(
        self, *conditions: ColumnElement[bool], limit: int | None = None, offset: int = 0
    ) -> list[SignalRow]:
        stmt = (
            select(SignalRecord)
            .where(*conditions)
            .order_by(SignalRecord.created_at, SignalRecord.id)
        )
        if limit is not None:
            stmt = stmt.limit(limit).offset(offset)
        return await _fetch_rows(self._session, SignalRow, stmt)

    async def get(self, signal_id: int) -> SignalRow | None:
        """The signal with this id."""
        found = await self._select(SignalRecord.id == signal_id)
        return found[0] if found else None

    async def by_reference(self, reference: str) -> SignalRow | None:
        """The signal with this reference (``SIG-2026-0007``)."""
        found = await self._select(SignalRecord.reference == reference)
        return found[0] if found else None

    async def by_ids(self, ids: Collection[int]) -> list[SignalRow]:
        """The signals with these ids, oldest first."""
        if not ids:
            return []
        return await self._select(SignalRecord.id.in_(list(ids)))

    async def same_person(self, pseudonyms: Collection[str]) -> list[SignalRow]:
        """Every stored signal with one of ``pseudonyms`` (one person, every key version)."""
        if not pseudonyms:
            return []
        return await self._select(SignalRecord.pseudonym.in_(list(pseudonyms)))

    async def for_professional(self, professional: str, limit: int) -> Page[SignalRow]:
        """The professional's signals that still match, expiring soonest first."""
        condition = (SignalRecord.professional == professional) & (
            SignalRecord.status == SignalStatus.ACTIEF
        )
        stmt = (
            select(SignalRecord)
            .where(condition)
            .order_by(SignalRecord.expires_at, SignalRecord.id)
            .limit(limit)
        )
        rows = await _fetch_rows(self._session, SignalRow, stmt)
        total = await self._session.scalar(select(func.count()).where(condition))
        return Page(rows, int(total or 0))

    async def agenda(
        self, municipality: str, now: datetime, limit: int, offset: int = 0
    ) -> Page[SignalRow]:
        """Active signals of ``municipality`` awaiting triage (open, or monitored and due
        again), oldest first: ``limit`` of them after the first ``offset``."""
        condition = (
            (SignalRecord.municipality == municipality)
            & (SignalRecord.status == SignalStatus.ACTIEF)
            & or_(
                SignalRecord.triage == TriageStatus.OPEN,
                (SignalRecord.triage == TriageStatus.MONITOREN) & (SignalRecord.relist_at <= now),
            )
        )
        rows = await self._select(condition, limit=limit, offset=offset)
        total = await self._session.scalar(select(func.count()).where(condition))
        return Page(rows, int(total or 0))

    async def set_status(
        self,
        signal_id: int,
        expected: str,
        status: str,
        now: datetime,
        delete_at: datetime | None,
    ) -> bool:
        """Move a signal from ``expected`` to ``status`` (and plan its deletion)."""
        stmt = (
            update(SignalRecord)
            .where(SignalRecord.id == signal_id, SignalRecord.status == expected)
            .values(status=status, status_changed_at=now, delete_at=delete_at)
        )
        return await _rowcount(self._session, stmt) == 1

    async def set_triage(
        self,
        signal_ids: Collection[int],
        triage: str,
        *,
        relist_at: datetime | None = None,
        case_id: int | None = None,
    ) -> int:
        """Record a triage decision on these signals; returns how many changed."""
        if not signal_ids:
            return 0
        values: dict[str, object] = {"triage": triage, "relist_at": relist_at}
        if case_id is not None:
            values["case_id"] = case_id
        stmt = update(SignalRecord).where(SignalRecord.id.in_(list(signal_ids))).values(**values)
        return await _rowcount(self._session, stmt)

    async def delete(self, signal_id: int) -> bool:
        """Delete a signal (its matches go with it)."""
        await _rowcount(
            self._session,
            delete(SignalMatchRecord).where(
                or_(
                    SignalMatchRecord.signal_id == signal_id,
                    SignalMatchRecord.other_signal_id == signal_id,
                )
            ),
        )
        return (
            await _rowcount(self._session, delete(SignalRecord).where(SignalRecord.id == signal_id))
            == 1
        )

    async def add_match(
        self, signal_id: int, now: datetime, *, other_signal_id: int | None, case_id: int | None
    ) -> None:
        """Record that ``signal_id`` matched another signal or a case's person."""
        self._session.add(
            SignalMatchRecord(
                signal_id=signal_id,
                other_signal_id=other_signal_id,
                case_id=case_id,
                created_at=now,
            )
        )
        await self._session.flush()

    async def matched_ids(self, signal_ids: Collection[int]) -> set[int]:
        """The ids of the signals matched with any of ``signal_ids`` (both directions)."""
        if not signal_ids:
            return set()
        ids = list(signal_ids)
        stmt = select(SignalMatchRecord.signal_id, SignalMatchRecord.other_signal_id).where(
            or_(SignalMatchRecord.signal_id.in_(ids), SignalMatchRecord.other_signal_id.in_(ids))
        )
        found: set[int] = set()
        for a, b in (await self._session.execute(stmt)).all():
            found.add(int(a))
            if b is not None:
                found.add(int(b))
        return found - set(ids)

    async def match_pairs(self, signal_ids: Collection[int]) -> list[tuple[int, int]]:
        """(one of ``signal_ids``, a signal it matched) for every signal-to-signal match,
        in both directions; one query for a whole agenda page."""
        if not signal_ids:
            return []
        ids = list(signal_ids)
        stmt = select(SignalMatchRecord.signal_id, SignalMatchRecord.other_signal_id).where(
            SignalMatchRecord.other_signal_id.is_not(None),
            or_(SignalMatchRecord.signal_id.in_(ids), SignalMatchRecord.other_signal_id.in_(ids)),
        )
        pairs: set[tuple[int, int]] = set()
        wanted = set(ids)
        for a, b in (await self._session.execute(stmt)).all():
            if b is None:
                continue
            if a in wanted:
                pairs.add((int(a), int(b)))
            if b in wanted:
                pairs.add((int(b), int(a)))
        return sorted(pairs)

    async def count_by_key_version(self) -> dict[str, int]:
        """How many stored pseudonyms (signals and case persons) use each key version."""
        counts: dict[str, int] = {}
        for model in (SignalRecord, CasePersonRecord):
            stmt = select(model.key_version, func.count()).group_by(model.key_version)
            for version, count in (await self._session.execute(stmt)).all():
                counts[str(version)] = counts.get(str(version), 0) + int(count)
        return counts

    async def contact_room(self, user: str) -> str | None:
        """The most recent direct chat ``user`` used for signals or linking a person."""
        from_signals = (
            select(SignalRecord.contact_room, SignalRecord.created_at.label("at"))
            .where(SignalRecord.professional == user)
            .order_by(SignalRecord.created_at.desc())
            .limit(1)
        )
        from_links = (
            select(CasePersonRecord.linked_room, CasePersonRecord.linked_at.label("at"))
            .where(CasePersonRecord.linked_by == user, CasePersonRecord.linked_room.is_not(None))
            .order_by(CasePersonRecord.linked_at.desc())
            .limit(1)
        )
        found = [
            (row[1], row[0])
            for stmt in (from_signals, from_links)
            for row in (await self._session.execute(stmt)).all()
        ]
        return max(found)[1] if found else None


class CasePersonRepository:
    """Cases linked to the pseudonym of their central person."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def link(
        self,
        case_id: int,
        pseudonym: str,
        key_version: str,
        weak_key: bool,
        linked_by: str,
        linked_room: str | None,
        now: datetime,
    ) -> None:
        """Link (or re-link) the case to a person's pseudonym."""
        values = {
            "case_id": case_id,
            "pseudonym": pseudonym,
            "key_version": key_version,
            "weak_key": weak_key,
            "linked_by": linked_by,
            "linked_room": linked_room,
            "linked_at": now,
        }
        stmt = _upsert(
            self._session,
            CasePersonRecord,
            values,
            ["case_id"],
            lambda excluded: {k: getattr(excluded, k) for k in values if k != "case_id"},
        )
        await _rowcount(self._session, stmt)

    async def open_cases_for(self, pseudonyms: Collection[str]) -> list[CasePersonRow]:
        """Links of open cases to one of ``pseudonyms``."""
        if not pseudonyms:
            return []
        stmt = (
            select(CasePersonRecord)
            .join(CaseRecord, CaseRecord.id == CasePersonRecord.case_id)
            .where(
                CasePersonRecord.pseudonym.in_(list(pseudonyms)),
                CaseRecord.status.in_(OPEN_CASE_STATUSES),
            )
            .order_by(CasePersonRecord.case_id)
        )
        return await _fetch_rows(self._session, CasePersonRow, stmt)


class CaseSignalRepository:
    """Worries recorded inside cases, numbered per case."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(
        self,
        *,
        case_id: int,
        category: str,
        severity: str,
        description: str,
        created_by: str,
        organisation_code: str,
        now: datetime,
    ) -> CaseSignalRow:
        """Store a case signal with the case's next number."""
        new_id = await _insert_numbered(
            self._session,
            CaseSignalRecord,
            {
                "case_id": case_id,
                "category": category,
                "severity": severity,
                "description": description,
                "created_by": created_by,
                "organisation_code": organisation_code,
                "created_at": now,
            },
            scope=CaseSignalRecord.case_id == case_id,
            number=CaseSignalRecord.number,
            constraint="uq_case_signals_case_id_number",
        )
        stmt = select(CaseSignalRecord).where(CaseSignalRecord.id == new_id)
        return (await _fetch_rows(self._session, CaseSignalRow, stmt))[0]

    async def list_for_case(self, case_id: int, limit: int, offset: int = 0) -> Page[CaseSignalRow]:
        """The case's signals, newest first (``hoog`` before the rest of the same day is
        not attempted: the newest worry is the most urgent to read): ``limit`` of them
        after the first ``offset``."""
        condition = CaseSignalRecord.case_id == case_id
        stmt = (
            select(CaseSignalRecord)
            .where(condition)
            .order_by(CaseSignalRecord.number.desc())
            .limit(limit)
            .offset(offset)
        )
        rows = await _fetch_rows(self._session, CaseSignalRow, stmt)
        total = await self._session.scalar(select(func.count()).where(condition))
        return Page(rows, int(total or 0))
