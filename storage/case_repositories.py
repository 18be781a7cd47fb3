"""Repositories for cases: case numbers, cases, members and regie.

Same rules as every repository (``storage.sql``): the caller owns the transaction
(repositories never commit), results are frozen dataclasses, and everything that must be
safe under concurrency is one atomic statement, usually a conditional ``UPDATE`` that
returns whether its precondition held.

Statuses, kinds and resolutions are plain strings (the domain layer owns their
meaning); the values in use are listed by the ``*_STATUSES``/``*_KINDS`` constants.
Every change of a case's state (status, room, regie) increments ``cases.version``;
bookkeeping such as ``unregie_reported_on`` does not. Proposals to move regie:
``storage.regie_repositories``; the agreements of cases: ``storage.agreement_repositories``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, case, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.cases.state import CaseStatus
from storage.case_models import (
    CaseMemberRecord,
    CaseRecord,
    CaseSequenceRecord,
)
from storage.regie_repositories import RegieProposalRepository, RegieProposalRow
from storage.sql import _dialect_insert, _fetch_rows, _rowcount, _to_row

#: ``cases.status`` values, in their usual order.
CASE_STATUSES = tuple(CaseStatus)
#: The status of a closed case (sets ``closed_at``).
CLOSED_STATUS = CaseStatus.GESLOTEN
#: Statuses of cases that are not closed.
OPEN_CASE_STATUSES = tuple(status for status in CaseStatus if status is not CLOSED_STATUS)


def format_reference(year: int, number: int) -> str:
    """The case reference shown to users: ``AVZ-2025-0042``."""
    return f"AVZ-{year}-{number:04d}"


# --------------------------------------------------------------------------- rows
@dataclass(frozen=True, slots=True)
class CaseRow:
    """One case."""

    id: int
    reference: str
    title: str
    municipality: str
    case_type: str
    status: str
    room_id: str | None
    created_by: str
    created_at: datetime
    status_changed_at: datetime
    closed_at: datetime | None
    regie_holder: str | None
    regie_org: str | None
    regie_since: datetime | None
    regie_vacant_since: datetime | None
    unregie_reported_on: date | None
    version: int


@dataclass(frozen=True, slots=True)
class CaseMemberRow:
    """A professional's participation in a case."""

    case_id: int
    matrix_id: str
    organisation_code: str
    joined_at: datetime
    left_at: datetime | None
    casemanager: bool

    @property
    def active(self) -> bool:
        """Whether the member is still part of the case."""
        return self.left_at is None


# --------------------------------------------------------------------------- cases
class CaseRepository:
    """Cases, their members and who holds regie; proposals to move regie through the
    composed :class:`RegieProposalRepository` (``proposals``)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.proposals = RegieProposalRepository(session)

    # ---- numbering and creation
    async def next_reference(self, year: int) -> str:
        """Allocate the next case reference of ``year`` (``AVZ-<year>-<nnnn>``).

        One ``INSERT ... ON CONFLICT DO UPDATE SET last_number = last_number + 1
        RETURNING``: concurrent callers each get a different, consecutive number. A
        number is only used up when the caller commits (a rollback returns it).
        """
        stmt = (
            _dialect_insert(self._session, CaseSequenceRecord)
            .values(year=year, last_number=1)
            .on_conflict_do_update(
                index_elements=["year"],
                set_={"last_number": CaseSequenceRecord.last_number + 1},
            )
            .returning(CaseSequenceRecord.last_number)
        )
        number = (await self._session.execute(stmt)).scalar_one()
        return format_reference(year, number)

    async def create(
        self,
        *,
        reference: str,
        title: str,
        municipality: str,
        case_type: str,
        created_by: str,
        now: datetime,
        status: str = CaseStatus.AANGEMELD,
    ) -> CaseRow:
        """Store a new case (without room and without regie, vacant since ``now``).

        ``reference`` comes from ``next_reference``; a duplicate raises
        ``IntegrityError``.
        """
        record = CaseRecord(
            reference=reference,
            title=title,
            municipality=municipality,
            case_type=case_type,
            status=status,
            room_id=None,
            created_by=created_by,
            created_at=now,
            status_changed_at=now,
            closed_at=now if status == CLOSED_STATUS else None,
            regie_holder=None,
            regie_org=None,
            regie_since=None,
            regie_vacant_since=now,
            unregie_reported_on=None,
            version=1,
        )
        self._session.add(record)
        await self._session.flush()
        return _to_row(CaseRow, record)

    # ---- reading
    async def _one(self, *conditions: ColumnElement[bool]) -> CaseRow | None:
        found = await _fetch_rows(self._session, CaseRow, select(CaseRecord).where(*conditions))
        return found[0] if found else None

    async def get(self, case_id: int) -> CaseRow | None:
        """The case with this id."""
        return await self._one(CaseRecord.id == case_id)

    async def by_reference(self, reference: str) -> CaseRow | None:
        """The case with this reference (``AVZ-2025-0001``)."""
        return await self._one(CaseRecord.reference == reference)

    async def by_room(self, room_id: str) -> CaseRow | None:
        """The case whose Matrix room this is."""
        return await self._one(CaseRecord.room_id == room_id)

    async def list_cases_for_member(
        self, matrix_id: str, *, include_closed: bool = False
    ) -> list[CaseRow]:
        """Cases ``matrix_id`` currently takes part in, oldest first."""
        stmt = (
            select(CaseRecord)
            .join(CaseMemberRecord, CaseMemberRecord.case_id == CaseRecord.id)
            .where(CaseMemberRecord.matrix_id == matrix_id, CaseMemberRecord.left_at.is_(None))
            .order_by(CaseRecord.created_at, CaseRecord.id)
        )
        if not include_closed:
            stmt = stmt.where(CaseRecord.status != CLOSED_STATUS)
        return await _fetch_rows(self._session, CaseRow, stmt)

    async def cases_with_regie(
        self, matrix_id: str, *, include_closed: bool = False
    ) -> list[CaseRow]:
        """Cases in which ``matrix_id`` holds regie, oldest first."""
        stmt = (
            select(CaseRecord)
            .where(CaseRecord.regie_holder == matrix_id)
            .order_by(CaseRecord.created_at, CaseRecord.id)
        )
        if not include_closed:
            stmt = stmt.where(CaseRecord.status != CLOSED_STATUS)
        return await _fetch_rows(self._session, CaseRow, stmt)

    async def cases_without_regie(
        self, vacant_before: datetime, *, statuses: Collection[str] = OPEN_CASE_STATUSES
    ) -> list[CaseRow]:
        """Cases with one of ``statuses`` that have had no regie since at or before
        ``vacant_before``, longest vacant first."""
        stmt = (
            select(CaseRecord)
            .where(
                CaseRecord.regie_holder.is_(None),
                CaseRecord.regie_vacant_since <= vacant_before,
                CaseRecord.status.in_(list(statuses)),
            )
            .order_by(CaseRecord.regie_vacant_since, CaseRecord.id)
        )
        return await _fetch_rows(self._session, CaseRow, stmt)

    # ---- changing the case
    async def _update(self, case_id: int, *conditions: ColumnElement[bool], **values: Any) -> bool:
        stmt = (
            update(CaseRecord)
            .where(CaseRecord.id == case_id, *conditions)
            .values(**values, version=CaseRecord.version + 1)
        )
        return await _rowcount(self._session, stmt) == 1

    async def set_room(self, case_id: int, room_id: str) -> bool:
        """Attach the case's Matrix room. True if the case now has this room; False if
        it already has another one (the room is set once) or does not exist."""
        return await self._update(
            case_id,
            (CaseRecord.room_id.is_(None)) | (CaseRecord.room_id == room_id),
            room_id=room_id,
        )

    async def change_status(
        self, case_id: int, expected_status: str, new_status: str, now: datetime
    ) -> bool:
        """Move the case from ``expected_status`` to ``new_status``; False (and nothing
        changes) if its status is something else. Closing sets ``closed_at``;
        any other status clears it."""
        return await self._update(
            case_id,
            CaseRecord.status == expected_status,
            status=new_status,
            status_changed_at=now,
            closed_at=now if new_status == CLOSED_STATUS else None,
        )

    # ---- regie
    async def claim_regie(self, case_id: int, user: str, org: str, now: datetime) -> bool:
        """Take regie of a case that has none. Exactly one of any number of concurrent
        claimers gets True (one conditional UPDATE ``WHERE regie_holder IS NULL``)."""
        return await self._update(
            case_id,
            CaseRecord.regie_holder.is_(None),
            regie_holder=user,
            regie_org=org,
            regie_since=now,
            regie_vacant_since=None,
            unregie_reported_on=None,
        )

    async def transfer_regie(
        self, case_id: int, expected_holder: str, new_holder: str, new_org: str, now: datetime
    ) -> bool:
        """Hand regie from ``expected_holder`` to ``new_holder``; False if
        ``expected_holder`` does not hold it (any more)."""
        return await self._update(
            case_id,
            CaseRecord.regie_holder == expected_holder,
            regie_holder=new_holder,
            regie_org=new_org,
            regie_since=now,
            regie_vacant_since=None,
            unregie_reported_on=None,
        )

    async def release_regie(self, case_id: int, expected_holder: str, now: datetime) -> bool:
        """Give up regie (the case is without regie from ``now``); False if
        ``expected_holder`` does not hold it."""
        return await self._update(
            case_id,
            CaseRecord.regie_holder == expected_holder,
            regie_holder=None,
            regie_org=None,
            regie_since=None,
            regie_vacant_since=now,
            unregie_reported_on=None,
        )

    async def assign_regie(
        self, case_id: int, new_holder: str, new_org: str, now: datetime
    ) -> bool:
        """Give regie to ``new_holder`` whoever holds it now (a coordinator's decision).
        ``regie_since`` is kept when ``new_holder`` already held it. False only if the
        case does not exist."""
        return await self._update(
            case_id,
            regie_since=case(
                (CaseRecord.regie_holder == new_holder, CaseRecord.regie_since), else_=now
            ),
            regie_holder=new_holder,
            regie_org=new_org,
            regie_vacant_since=None,
            unregie_reported_on=None,
        )

    async def mark_unregie_reported(self, case_id: int, on_date: date) -> bool:
        """Record that the coordination room was told on ``on_date`` that the case has
        no regie. True only for the first call per date (so one report per day)."""
        stmt = (
            update(CaseRecord)
            .where(
                CaseRecord.id == case_id,
                CaseRecord.unregie_reported_on.is_distinct_from(on_date),
            )
            .values(unregie_reported_on=on_date)
        )
        return await _rowcount(self._session, stmt) == 1

    # ---- members
    async def list_members(
        self, case_id: int, *, include_left: bool = False
    ) -> list[CaseMemberRow]:
        """The case's members in order of joining (also those who left, if asked)."""
        stmt = (
            select(CaseMemberRecord)
            .where(CaseMemberRecord.case_id == case_id)
            .order_by(CaseMemberRecord.joined_at, CaseMemberRecord.matrix_id)
        )
        if not include_left:
            stmt = stmt.where(CaseMemberRecord.left_at.is_(None))
        return await _fetch_rows(self._session, CaseMemberRow, stmt)

    async def get_member(self, case_id: int, matrix_id: str) -> CaseMemberRow | None:
        """One member's participation (also after leaving)."""
        found = await _fetch_rows(
            self._session,
            CaseMemberRow,
            select(CaseMemberRecord).where(
                CaseMemberRecord.case_id == case_id, CaseMemberRecord.matrix_id == matrix_id
            ),
        )
        return found[0] if found else None

    async def add_member(
        self, case_id: int, matrix_id: str, organisation_code: str, now: datetime
    ) -> bool:
        """Add a member (not casemanager). True if added or re-added after leaving
        (``joined_at`` then restarts); False if already an active member."""
        stmt = _dialect_insert(self._session, CaseMemberRecord).values(
            case_id=case_id,
            matrix_id=matrix_id,
            organisation_code=organisation_code,
            joined_at=now,
            left_at=None,
            casemanager=False,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["case_id", "matrix_id"],
            set_={
                "organisation_code": stmt.excluded.organisation_code,
                "joined_at": stmt.excluded.joined_at,
                "left_at": None,
                "casemanager": False,
            },
            where=CaseMemberRecord.left_at.is_not(None),
        )
        return await _rowcount(self._session, stmt) == 1

    async def mark_member_left(self, case_id: int, matrix_id: str, now: datetime) -> bool:
        """Record that a member left (also ends their casemanager role). True only for
        the first call; False if not an active member."""
        stmt = (
            update(CaseMemberRecord)
            .where(
                CaseMemberRecord.case_id == case_id,
                CaseMemberRecord.matrix_id == matrix_id,
                CaseMemberRecord.left_at.is_(None),
            )
            .values(left_at=now, casemanager=False)
        )
        return await _rowcount(self._session, stmt) == 1

    async def set_casemanager(self, case_id: int, matrix_id: str, organisation_code: str) -> bool:
        """Make ``matrix_id`` the casemanager of ``organisation_code`` in the case, and
        clear the flag of any other member of that organisation, in one UPDATE.

        False (and nothing changes) unless ``matrix_id`` is an active member of the
        case for ``organisation_code``.

        On PostgreSQL the organisation's member rows are locked first: otherwise two
        concurrent calls for different members would each miss the other's
        uncommitted flag and leave two casemanagers. (SQLite serialises writers.)
        """
        await self._session.execute(
            select(CaseMemberRecord.matrix_id)
            .where(
                CaseMemberRecord.case_id == case_id,
                CaseMemberRecord.organisation_code == organisation_code,
            )
            .with_for_update()
        )
        target = select(CaseMemberRecord.matrix_id).where(
            CaseMemberRecord.case_id == case_id,
            CaseMemberRecord.matrix_id == matrix_id,
            CaseMemberRecord.organisation_code == organisation_code,
            CaseMemberRecord.left_at.is_(None),
        )
        is_target = CaseMemberRecord.matrix_id == matrix_id
        stmt = (
            update(CaseMemberRecord)
            .where(
                CaseMemberRecord.case_id == case_id,
                CaseMemberRecord.organisation_code == organisation_code,
                CaseMemberRecord.left_at.is_(None),
                CaseMemberRecord.casemanager.is_(True) | is_target,
                target.exists(),
            )
            .values(casemanager=case((is_target, True), else_=False))
            .returning(CaseMemberRecord.matrix_id)
        )
        changed = await self._session.execute(
            stmt, execution_options={"synchronize_session": False}
        )
        return matrix_id in changed.scalars().all()

    async def clear_casemanager(self, case_id: int, matrix_id: str) -> bool:
        """Take the casemanager role from ``matrix_id``; False if they did not have it."""
        stmt = (
            update(CaseMemberRecord)
            .where(
                CaseMemberRecord.case_id == case_id,
                CaseMemberRecord.matrix_id == matrix_id,
                CaseMemberRecord.casemanager.is_(True),
            )
            .values(casemanager=False)
        )
        return await _rowcount(self._session, stmt) == 1

    # ---- regie proposals (``storage.regie_repositories``)
    async def create_proposal(
        self,
        *,
        case_id: int,
        kind: str,
        from_user: str,
        to_user: str,
        now: datetime,
        expires_at: datetime,
    ) -> RegieProposalRow | None:
        """See :meth:`RegieProposalRepository.create_proposal`."""
        return await self.proposals.create_proposal(
            case_id=case_id,
            kind=kind,
            from_user=from_user,
            to_user=to_user,
            now=now,
            expires_at=expires_at,
        )

    async def get_proposal(self, proposal_id: int) -> RegieProposalRow | None:
        """See :meth:`RegieProposalRepository.get_proposal`."""
        return await self.proposals.get_proposal(proposal_id)

    async def open_proposal(self, case_id: int) -> RegieProposalRow | None:
        """See :meth:`RegieProposalRepository.open_proposal`."""
        return await self.proposals.open_proposal(case_id)

    async def resolve_proposal(self, proposal_id: int, resolution: str, now: datetime) -> bool:
        """See :meth:`RegieProposalRepository.resolve_proposal`."""
        return await self.proposals.resolve_proposal(proposal_id, resolution, now)

    async def open_proposals_to(self, matrix_id: str) -> list[RegieProposalRow]:
        """See :meth:`RegieProposalRepository.open_proposals_to`."""
        return await self.proposals.open_proposals_to(matrix_id)

    async def expired_proposals(self, now: datetime) -> list[RegieProposalRow]:
        """See :meth:`RegieProposalRepository.expired_proposals`."""
        return await self.proposals.expired_proposals(now)
