"""Repositories for case conferences: conferences, participants, entries, linked agreements.

Same rules as every repository (``storage.sql``): the caller owns the transaction
(repositories never commit), results are frozen dataclasses, every list is bounded by
the caller's ``limit`` and filtered on indexed columns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.conferences.state import ConferenceStatus
from storage.agreement_models import AgreementPostponementRecord, AgreementRecord
from storage.case_models import CaseRecord
from storage.conference_models import (
    ConferenceAgreementRecord,
    ConferenceEntryRecord,
    ConferenceParticipantRecord,
    ConferenceRecord,
)
from storage.sql import _fetch_rows, _insert_numbered, _rowcount, _to_row, _upsert

#: ``conferences.status`` values.
CONFERENCE_STATUSES = tuple(ConferenceStatus)
PLANNED = ConferenceStatus.GEPLAND
#: ``conference_entries.kind`` values.
ENTRY_ITEM = "item"
ENTRY_DECISION = "decision"

_REFERENCE = re.compile(r"^OV-(\d{4})-(\d{1,6})$", re.IGNORECASE)


def _utc(value: datetime) -> datetime:
    """An aggregate bypasses the column type: on SQLite ``max()`` gives naive UTC text."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def format_reference(year: int, number: int) -> str:
    """The reference users see: ``OV-2026-0007``."""
    return f"OV-{year}-{number:04d}"


def parse_reference(reference: str) -> tuple[int, int] | None:
    """(year, number) of ``OV-<year>-<number>``, or None if it is not one."""
    match = _REFERENCE.match(reference.strip())
    return None if match is None else (int(match[1]), int(match[2]))


@dataclass(frozen=True, slots=True)
class ConferenceRow:
    """One conference."""

    id: int
    case_id: int
    year: int
    number: int
    status: str
    starts_at: datetime
    duration_minutes: int
    location: str
    organiser: str
    sequence: int
    reason: str | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None

    @property
    def reference(self) -> str:
        """``OV-<year>-<number>``."""
        return format_reference(self.year, self.number)


@dataclass(frozen=True, slots=True)
class ParticipantRow:
    """An invited participant and their answer."""

    conference_id: int
    matrix_id: str
    organisation_code: str
    attendance: str
    reason: str | None
    answered_at: datetime | None


@dataclass(frozen=True, slots=True)
class EntryRow:
    """An agenda item or a decision."""

    id: int
    conference_id: int
    kind: str
    text: str
    author: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ConferenceInCase:
    """A conference with its case's reference and municipality (for cross-case lists)."""

    conference: ConferenceRow
    case_reference: str
    municipality: str


class ConferenceRepository:
    """Conferences and everything recorded about them."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # ---- conferences
    async def create(
        self,
        *,
        case_id: int,
        year: int,
        organiser: str,
        starts_at: datetime,
        duration_minutes: int,
        location: str,
        now: datetime,
    ) -> ConferenceRow:
        """Store a planned conference with the year's next number."""
        new_id = await _insert_numbered(
            self._session,
            ConferenceRecord,
            {
                "case_id": case_id,
                "year": year,
                "status": PLANNED,
                "starts_at": starts_at,
                "duration_minutes": duration_minutes,
                "location": location,
                "organiser": organiser,
                "sequence": 0,
                "reason": None,
                "created_at": now,
                "updated_at": now,
                "closed_at": None,
            },
            scope=ConferenceRecord.year == year,
            number=ConferenceRecord.number,
            constraint="uq_conferences_year_number",
        )
        row = await self.get(new_id)
        if row is None:  # pragma: no cover - just inserted
            raise LookupError(f"conference {new_id} vanished")
        return row

    async def get(self, conference_id: int) -> ConferenceRow | None:
        """The conference with this id."""
        found = await _fetch_rows(
            self._session,
            ConferenceRow,
            select(ConferenceRecord).where(ConferenceRecord.id == conference_id),
        )
        return found[0] if found else None

    async def by_reference(self, case_id: int, reference: str) -> ConferenceRow | None:
        """The case's conference ``OV-…`` (None if it is not this case's)."""
        parsed = parse_reference(reference)
        if parsed is None:
            return None
        found = await _fetch_rows(
            self._session,
            ConferenceRow,
            select(ConferenceRecord).where(
                ConferenceRecord.year == parsed[0],
                ConferenceRecord.number == parsed[1],
                ConferenceRecord.case_id == case_id,
            ),
        )
        return found[0] if found else None

    async def running(self, case_id: int, now: datetime) -> ConferenceRow | None:
        """The case's planned conference that has started by ``now`` (the latest)."""
        found = await _fetch_rows(
            self._session,
            ConferenceRow,
            select(ConferenceRecord)
            .where(
                ConferenceRecord.case_id == case_id,
                ConferenceRecord.status == PLANNED,
                ConferenceRecord.starts_at <= now,
            )
            .order_by(ConferenceRecord.starts_at.desc())
            .limit(1),
        )
        return found[0] if found else None

    async def previous_closed(self, case_id: int, before: datetime) -> ConferenceRow | None:
        """The case's last closed conference that started before ``before``."""
        found = await _fetch_rows(
            self._session,
            ConferenceRow,
            select(ConferenceRecord)
            .where(
                ConferenceRecord.case_id == case_id,
                ConferenceRecord.status == ConferenceStatus.AFGEROND,
                ConferenceRecord.starts_at < before,
            )
            .order_by(ConferenceRecord.starts_at.desc())
            .limit(1),
        )
        return found[0] if found else None

    async def for_case(
        self, case_id: int, *, planned: bool, limit: int, offset: int = 0
    ) -> tuple[list[ConferenceRow], int]:
        """Planned ones soonest first, or the others latest first; ``limit`` of them after
        the first ``offset``, and how many there are in all."""
        condition = (
            ConferenceRecord.status == PLANNED if planned else ConferenceRecord.status != PLANNED
        )
        order = ConferenceRecord.starts_at.asc() if planned else ConferenceRecord.starts_at.desc()
        rows = await _fetch_rows(
            self._session,
            ConferenceRow,
            select(ConferenceRecord)
            .where(ConferenceRecord.case_id == case_id, condition)
            .order_by(order, ConferenceRecord.id)
            .limit(limit)
            .offset(offset),
        )
        total = await self._session.scalar(
            select(func.count())
            .select_from(ConferenceRecord)
            .where(ConferenceRecord.case_id == case_id, condition)
        )
        return rows, int(total or 0)

    async def reschedule(
        self,
        conference_id: int,
        starts_at: datetime,
        duration_minutes: int,
        sequence: int,
        reason: str,
        now: datetime,
    ) -> bool:
        """Move a planned conference; False if it is no longer planned."""
        return await self._change(
            conference_id,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            sequence=sequence,
            reason=reason,
            updated_at=now,
        )

    async def finish(
        self, conference_id: int, status: str, sequence: int, reason: str | None, now: datetime
    ) -> bool:
        """Close or cancel a planned conference; False if it is no longer planned."""
        return await self._change(
            conference_id,
            status=status,
            sequence=sequence,
            reason=reason,
            updated_at=now,
            closed_at=now,
        )

    async def _change(self, conference_id: int, **values: object) -> bool:
        stmt = (
            update(ConferenceRecord)
            .where(ConferenceRecord.id == conference_id, ConferenceRecord.status == PLANNED)
            .values(**values)
        )
        return await _rowcount(self._session, stmt) == 1

    # ---- participants
    async def participants(self, conference_id: int) -> list[ParticipantRow]:
        """Everyone invited, by organisation and id."""
        stmt = (
            select(ConferenceParticipantRecord)
            .where(ConferenceParticipantRecord.conference_id == conference_id)
            .order_by(
                ConferenceParticipantRecord.organisation_code,
                ConferenceParticipantRecord.matrix_id,
            )
        )
        return await _fetch_rows(self._session, ParticipantRow, stmt)

    async def set_participant(
        self,
        conference_id: int,
        matrix_id: str,
        organisation_code: str,
        attendance: str,
        reason: str | None,
        answered_at: datetime | None,
    ) -> None:
        """Invite ``matrix_id`` or record their (new) answer."""
        values = {
            "conference_id": conference_id,
            "matrix_id": matrix_id,
            "organisation_code": organisation_code,
            "attendance": attendance,
            "reason": reason,
            "answered_at": answered_at,
        }
        stmt = _upsert(
            self._session,
            ConferenceParticipantRecord,
            values,
            ["conference_id", "matrix_id"],
            lambda excluded: {
                "attendance": excluded.attendance,
                "reason": excluded.reason,
                "answered_at": excluded.answered_at,
            },
        )
        await self._session.execute(stmt)

    async def remove_participants(self, conference_id: int, keep: Iterable[str]) -> None:
        """Forget the participants not in ``keep``."""
        await _rowcount(
            self._session,
            delete(ConferenceParticipantRecord).where(
                ConferenceParticipantRecord.conference_id == conference_id,
                ConferenceParticipantRecord.matrix_id.not_in(list(keep)),
            ),
        )

    # ---- entries
    async def add_entry(
        self, conference_id: int, kind: str, text: str, author: str, now: datetime
    ) -> None:
        """Append an agenda item or a decision."""
        self._session.add(
            ConferenceEntryRecord(
                conference_id=conference_id, kind=kind, text=text, author=author, created_at=now
            )
        )
        await self._session.flush()

    async def entries(self, conference_id: int, kind: str) -> list[EntryRow]:
        """The conference's items or decisions, oldest first."""
        stmt = (
            select(ConferenceEntryRecord)
            .where(
                ConferenceEntryRecord.conference_id == conference_id,
                ConferenceEntryRecord.kind == kind,
            )
            .order_by(ConferenceEntryRecord.created_at, ConferenceEntryRecord.id)
        )
        return await _fetch_rows(self._session, EntryRow, stmt)

    # ---- agreements
    async def link_agreement(self, conference_id: int, agreement_id: int) -> None:
        """Note that the agreement was made during the conference."""
        self._session.add(
            ConferenceAgreementRecord(conference_id=conference_id, agreement_id=agreement_id)
        )
        await self._session.flush()

    async def link_if_running(self, case_id: int, agreement_id: int, now: datetime) -> str | None:
        """Link the agreement to the case's running conference, if one runs; returns its
        reference (None: no conference runs)."""
        running = await self.running(case_id, now)
        if running is None:
            return None
        await self.link_agreement(running.id, agreement_id)
        return running.reference

    async def linked_agreement_numbers(self, conference_id: int) -> list[int]:
        """Numbers (within the case) of the agreements made during the conference."""
        stmt = (
            select(AgreementRecord.number)
            .join(
                ConferenceAgreementRecord,
                ConferenceAgreementRecord.agreement_id == AgreementRecord.id,
            )
            .where(ConferenceAgreementRecord.conference_id == conference_id)
            .order_by(AgreementRecord.number)
        )
        return list(await self._session.scalars(stmt))

    async def last_postponements(self, case_id: int) -> dict[int, datetime]:
        """Agreement id → when its deadline was last postponed, for the case's agreements."""
        stmt = (
            select(
                AgreementPostponementRecord.agreement_id,
                func.max(AgreementPostponementRecord.at),
            )
            .join(AgreementRecord, AgreementRecord.id == AgreementPostponementRecord.agreement_id)
            .where(AgreementRecord.case_id == case_id)
            .group_by(AgreementPostponementRecord.agreement_id)
        )
        result = await self._session.execute(stmt)
        return {int(agreement): _utc(at) for agreement, at in result.all()}

    # ---- across cases
    async def _with_case(
        self, *conditions: object, limit: int, join_user: str | None = None
    ) -> list[ConferenceInCase]:
        stmt = select(ConferenceRecord, CaseRecord.reference, CaseRecord.municipality).join(
            CaseRecord, CaseRecord.id == ConferenceRecord.case_id
        )
        if join_user is not None:
            stmt = stmt.join(
                ConferenceParticipantRecord,
                ConferenceParticipantRecord.conference_id == ConferenceRecord.id,
            ).where(ConferenceParticipantRecord.matrix_id == join_user)
        stmt = stmt.where(*conditions).order_by(ConferenceRecord.starts_at).limit(limit)  # type: ignore[arg-type]
        result = await self._session.execute(stmt.execution_options(populate_existing=True))
        return [
            ConferenceInCase(_to_row(ConferenceRow, record), reference, municipality)
            for record, reference, municipality in result.all()
        ]

    async def upcoming_for_user(
        self, matrix_id: str, now: datetime, limit: int
    ) -> list[ConferenceInCase]:
        """Planned conferences ``matrix_id`` is invited to that have not started, soonest
        first."""
        return await self._with_case(
            ConferenceRecord.status == PLANNED,
            ConferenceRecord.starts_at >= now,
            limit=limit,
            join_user=matrix_id,
        )

    async def count_upcoming_for_user(self, matrix_id: str, now: datetime) -> int:
        """How many conferences :meth:`upcoming_for_user` would list without a limit."""
        total = await self._session.scalar(
            select(func.count())
            .select_from(ConferenceRecord)
            .join(
                ConferenceParticipantRecord,
                ConferenceParticipantRecord.conference_id == ConferenceRecord.id,
            )
            .where(
                ConferenceParticipantRecord.matrix_id == matrix_id,
                ConferenceRecord.status == PLANNED,
                ConferenceRecord.starts_at >= now,
            )
        )
        return int(total or 0)

    async def planned_between(
        self, start: datetime, end: datetime, limit: int
    ) -> list[ConferenceInCase]:
        """Planned conferences starting in ``[start, end)``, earliest first."""
        return await self._with_case(
            ConferenceRecord.status == PLANNED,
            ConferenceRecord.starts_at >= start,
            ConferenceRecord.starts_at < end,
            limit=limit,
        )
