"""Proposals to move a case's regie (``regie_proposals``): the holder offers it, or
someone asks the holder for it; each is answered, expires or is cancelled.

Same rules as every repository (``storage.sql``): the caller owns the transaction
(repositories never commit), results are frozen dataclasses, and at most one proposal
per case is open (a partial unique index, used by one atomic statement). The case's
regie itself: ``storage.case_repositories``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.case_models import RegieProposalRecord
from storage.sql import _dialect_insert, _fetch_rows, _rowcount

#: ``regie_proposals.kind``: the holder offers regie, or someone asks the holder for it.
PROPOSAL_KINDS = ("transfer", "request")
#: ``regie_proposals.resolution`` values.
PROPOSAL_RESOLUTIONS = ("accepted", "declined", "expired", "cancelled")


@dataclass(frozen=True, slots=True)
class RegieProposalRow:
    """A proposal to move regie (see ``PROPOSAL_KINDS``)."""

    id: int
    case_id: int
    kind: str
    from_user: str
    to_user: str
    created_at: datetime
    expires_at: datetime
    resolved_at: datetime | None
    resolution: str | None

    @property
    def open(self) -> bool:
        """Whether the proposal still awaits an answer."""
        return self.resolved_at is None


class RegieProposalRepository:
    """Proposals to move regie (see ``PROPOSAL_KINDS``)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

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
        """Open a proposal; None (and nothing changes) if the case already has an open
        one. ``INSERT ... ON CONFLICT DO NOTHING`` against the partial unique index, so
        a refusal neither raises nor aborts the caller's transaction."""
        stmt = (
            _dialect_insert(self._session, RegieProposalRecord)
            .values(
                case_id=case_id,
                kind=kind,
                from_user=from_user,
                to_user=to_user,
                created_at=now,
                expires_at=expires_at,
                resolved_at=None,
                resolution=None,
            )
            .on_conflict_do_nothing(
                index_elements=["case_id"],
                index_where=RegieProposalRecord.resolved_at.is_(None),
            )
            .returning(RegieProposalRecord.id)
        )
        new_id = (await self._session.execute(stmt)).scalar_one_or_none()
        return None if new_id is None else await self.get_proposal(new_id)

    async def get_proposal(self, proposal_id: int) -> RegieProposalRow | None:
        """The proposal with this id, open or resolved."""
        found = await _fetch_rows(
            self._session,
            RegieProposalRow,
            select(RegieProposalRecord).where(RegieProposalRecord.id == proposal_id),
        )
        return found[0] if found else None

    async def open_proposal(self, case_id: int) -> RegieProposalRow | None:
        """The case's open proposal, if any."""
        found = await _fetch_rows(
            self._session,
            RegieProposalRow,
            select(RegieProposalRecord).where(
                RegieProposalRecord.case_id == case_id, RegieProposalRecord.resolved_at.is_(None)
            ),
        )
        return found[0] if found else None

    async def resolve_proposal(self, proposal_id: int, resolution: str, now: datetime) -> bool:
        """Close a proposal with ``resolution``; True only if it was still open (so an
        answer and the expiry job cannot both resolve it)."""
        stmt = (
            update(RegieProposalRecord)
            .where(RegieProposalRecord.id == proposal_id, RegieProposalRecord.resolved_at.is_(None))
            .values(resolved_at=now, resolution=resolution)
        )
        return await _rowcount(self._session, stmt) == 1

    async def open_proposals_to(self, matrix_id: str) -> list[RegieProposalRow]:
        """Open proposals waiting for ``matrix_id``'s answer, oldest first."""
        stmt = (
            select(RegieProposalRecord)
            .where(
                RegieProposalRecord.resolved_at.is_(None), RegieProposalRecord.to_user == matrix_id
            )
            .order_by(RegieProposalRecord.created_at, RegieProposalRecord.id)
        )
        return await _fetch_rows(self._session, RegieProposalRow, stmt)

    async def expired_proposals(self, now: datetime) -> list[RegieProposalRow]:
        """Open proposals whose ``expires_at`` is at or before ``now``, oldest first."""
        stmt = (
            select(RegieProposalRecord)
            .where(RegieProposalRecord.resolved_at.is_(None), RegieProposalRecord.expires_at <= now)
            .order_by(RegieProposalRecord.expires_at, RegieProposalRecord.id)
        )
        return await _fetch_rows(self._session, RegieProposalRow, stmt)
