"""What the parts of the case service share: names, loading a case, its audit trail.

:class:`People` resolves names (people and organisations) from the member directory,
:class:`CaseStore` loads a case as the domain sees it (:class:`LoadedCase`) and appends
to its audit trail (the case timeline), :class:`Coordination` queues messages for the
ketenmanagers' coordination room. Each is handed to the parts that need it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.cases import (
    CaseMember,
    CaseState,
    CaseStatus,
    ProposalKind,
    RegieProposal,
)
from avz_bot.domain.inbound import Reply
from avz_bot.domain.partners import Member
from avz_bot.formatting import text
from avz_bot.services.audit import Audit
from avz_bot.services.directory import MemberDirectory
from storage.case_repositories import CaseRepository, CaseRow
from storage.registry_repositories import PartnerRepository

Enqueue = Callable[[str, str, Reply], Any]


@dataclass(frozen=True)
class LoadedCase:
    """A case as stored, and as the domain sees it."""

    row: CaseRow
    state: CaseState


class People:
    """Registered members and organisations by name, for one unit of work."""

    def __init__(self, session: AsyncSession, members: MemberDirectory | None) -> None:
        self._session = session
        self._members = members
        self._directory: dict[str, Member] | None = None

    async def directory(self) -> Mapping[str, Member]:
        """Registered members by Matrix id: from the process-wide cache when one was
        given (``MemberDirectory``), else loaded once per unit of work."""
        if self._members is not None:
            return await self._members.members(self._session)
        if self._directory is None:
            members = await PartnerRepository(self._session).list_members()
            self._directory = {m.matrix_id: m for m in members}
        return self._directory

    async def name(self, user: str) -> str:
        """How a person is shown: their registered name, else their Matrix id."""
        if user == "bot":
            return "avz-bot"
        member = (await self.directory()).get(user)
        return member.display_name if member else user

    async def org_name(self, code: str | None) -> str:
        """An organisation's name (from the registry), else its code."""
        if code is None:
            return "—"
        if self._members is not None:
            return await self._members.org_name(self._session, code) or code
        for member in (await self.directory()).values():
            if member.organisation.code == code:
                return member.organisation.name
        return code


class CaseStore:
    """Cases as the domain sees them, and their audit trail (the case timeline)."""

    def __init__(
        self,
        session: AsyncSession,
        *,
        now: datetime,
        people: People,
        device_cross_signed: bool | None,
    ) -> None:
        self.cases = CaseRepository(session)
        self._audit = Audit(session, now, device_cross_signed)
        self._now = now
        self._people = people

    async def load_for_room(self, room_id: str) -> LoadedCase | None:
        """The case whose room this is, or None."""
        row = await self.cases.by_room(room_id)
        return None if row is None else await self.load(row)

    async def load(self, row: CaseRow) -> LoadedCase:
        """The case of ``row`` with its members and open proposal, as the domain sees it."""
        members = {
            m.matrix_id: CaseMember(m.matrix_id, m.organisation_code, m.joined_at, m.casemanager)
            for m in await self.cases.list_members(row.id)
        }
        proposal_row = await self.cases.open_proposal(row.id)
        proposal = None
        if proposal_row is not None:
            proposal = RegieProposal(
                ProposalKind(proposal_row.kind),
                proposal_row.from_user,
                proposal_row.to_user,
                proposal_row.created_at,
                proposal_row.expires_at,
            )
        holder = row.regie_holder if row.regie_holder in members else None
        since = (row.regie_since if holder else row.regie_vacant_since) or row.created_at
        state = CaseState(
            reference=row.reference,
            status=CaseStatus(row.status),
            regie_holder=holder,
            regie_since=since,
            members=members,
            pending_proposal=proposal if holder is not None else None,
        )
        return LoadedCase(row, state)

    async def record(
        self,
        row: CaseRow,
        actor: str,
        kind: str,
        room_id: str | None,
        details: Mapping[str, str | int | bool | None],
    ) -> None:
        """The audit entry ``case.<kind>`` about the case."""
        await self.record_audit(row, actor, f"case.{kind}", room_id, details)

    async def record_audit(
        self,
        row: CaseRow,
        actor: str,
        action: str,
        room_id: str | None,
        details: Mapping[str, str | int | bool | None],
    ) -> None:
        """One audit entry about the case (its timeline). Texts are cut at 200 characters;
        under the default trust policy a change from a device its owner has not
        cross-signed is marked as such."""
        directory = await self._people.directory()
        member = directory.get(actor)
        await self._audit.record(
            action,
            actor=actor,
            actor_org=member.organisation.code if member else None,
            room_id=room_id,
            entity_type="case",
            entity_id=row.reference,
            details=details,
        )


class Coordination:
    """Messages for the ketenmanagers' coordination room (none when it is not configured)."""

    def __init__(self, room: str | None, enqueue: Enqueue) -> None:
        self.room = room
        self._enqueue = enqueue

    async def tell(self, key: str, message: str) -> None:
        """Queue ``message`` for the coordination room (outbox key ``coord:<key>``)."""
        if self.room:
            await self._enqueue(f"coord:{key}", self.room, text(message))
