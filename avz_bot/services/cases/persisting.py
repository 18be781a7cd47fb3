"""Persisting the events of cases: one small function per domain event type.

:meth:`CaseEvents.apply` turns a refusal into :class:`Refused`, or looks each
event of a transition up in one table (event type → function). Each function writes what
its event means — the case tables, room side effects (durable jobs), messages to the
coordination room — and returns the line of the reply (worded by the view, ``view.py``);
then the event is entered in the case's audit trail (its timeline), every event alike.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from avz_bot.domain import cases as domain
from avz_bot.domain.agreements.status import AgreementStatus
from avz_bot.domain.cases import CaseEvent, CaseStatus, Refusal, Transition
from avz_bot.domain.inbound import Reply
from avz_bot.domain.partners import Member
from avz_bot.formatting import paragraphs
from avz_bot.services.cases.base import (
    CaseStore,
    Coordination,
    LoadedCase,
    People,
)
from avz_bot.services.cases.rooms import JOB_INVITE, JOB_KICK
from avz_bot.services.cases.view import CaseView
from avz_bot.services.refusal import Refused
from storage.agreement_repositories import AgreementRepository
from storage.schedule_repositories import JobRepository

#: Causes of leaving a case that also take the person out of the case room.
_KICKED = frozenset({domain.EndCause.REMOVED, domain.EndCause.DEREGISTERED})


@dataclass(frozen=True)
class Step:
    """What one event's function is given besides the event: the case, the room the reply
    goes to, the triggering event's key and the member directory."""

    loaded: LoadedCase
    room_id: str
    key: str
    directory: Mapping[str, Member]

    def org_of(self, user: str) -> str:
        """``user``'s organisation: as a member of the case, else from the directory."""
        member = self.loaded.state.members.get(user)
        if member is not None:
            return member.organisation_code
        found = self.directory.get(user)
        return found.organisation.code if found else ""


class CaseEvents:
    """The persisting functions, one per event type, inside one transaction."""

    def __init__(
        self,
        store: CaseStore,
        *,
        people: People,
        view: CaseView,
        jobs: JobRepository,
        agreements: AgreementRepository,
        coordination: Coordination,
    ) -> None:
        self._store = store
        self._cases = store.cases
        self._people = people
        self._view = view
        self._jobs = jobs
        self._agreements = agreements
        self._coordination = coordination
        self._persisters: Mapping[type[CaseEvent], Callable[[Step, Any], Awaitable[str]]] = {
            domain.StatusChanged: self._status_changed,
            domain.RegieTaken: self._regie_taken,
            domain.RegieRequested: self._regie_requested,
            domain.RegieTransferProposed: self._transfer_proposed,
            domain.RegieTransferred: self._regie_transferred,
            domain.RegieDeclined: self._regie_declined,
            domain.RegieReleased: self._regie_released,
            domain.RegieAssigned: self._regie_assigned,
            domain.ProposalExpired: self._proposal_expired,
            domain.ProposalCancelled: self._proposal_cancelled,
            domain.MemberAdded: self._member_added,
            domain.MemberRemoved: self._member_removed,
            domain.CasemanagerTaken: self._casemanager_taken,
        }

    async def apply(
        self, loaded: LoadedCase, outcome: Transition | Refusal, room_id: str, key: str
    ) -> Reply:
        """Persist an accepted transition (or explain a refusal); returns the reply.

        ``key`` (the triggering event id) makes the transaction ids of any messages to
        other rooms unique and repeatable.
        """
        if isinstance(outcome, Refusal):
            raise Refused(self._view.refusal_reply(outcome))
        lines: list[str] = []
        for event in outcome.events:
            step = Step(loaded, room_id, key, await self._people.directory())
            line = await self._persisters[type(event)](step, event)
            await self._store.record(
                loaded.row, event.actor or "bot", event.kind, room_id, event.payload()
            )
            if line:
                lines.append(line)
        return paragraphs(*lines)

    async def _status_changed(self, step: Step, event: domain.StatusChanged) -> str:
        row, now = step.loaded.row, event.at
        old, new = event.old_status, event.new_status
        if not await self._cases.change_status(row.id, old.value, new.value, now):
            raise Refused(self._view.refused(domain.RefusalCode.CASE_CLOSED))
        if old is CaseStatus.GESLOTEN:
            return self._view.reopened(row, event.reason)
        if new is not CaseStatus.GESLOTEN:
            return self._view.status_changed(row, old, new, event.reason)
        # Scheduled work for the case (reminders, later escalations) ends here.
        await self._jobs.cancel_for_entity("case", str(row.id), now)
        still_open = await self._agreements.list_for_case(row.id, statuses=[AgreementStatus.OPEN])
        return self._view.closed(row, event.reason, len(still_open))

    async def _regie_taken(self, step: Step, event: domain.RegieTaken) -> str:
        row = step.loaded.row
        if not await self._cases.claim_regie(
            row.id, event.holder, step.org_of(event.holder), event.at
        ):
            fresh = await self._cases.get(row.id)
            holder = fresh.regie_holder if fresh else None
            raise Refused(await self._view.regie_lost_race(holder))
        return await self._view.regie_taken(row, event.holder)

    async def _regie_requested(self, step: Step, event: domain.RegieRequested) -> str:
        await self._propose(step, "request", event.requester, event.holder, event)
        return await self._view.regie_requested(event.holder, event.expires_at)

    async def _transfer_proposed(self, step: Step, event: domain.RegieTransferProposed) -> str:
        await self._propose(step, "transfer", event.holder, event.to_user, event)
        return await self._view.regie_proposed(event.holder, event.to_user, event.expires_at)

    async def _propose(
        self,
        step: Step,
        kind: str,
        from_user: str,
        to_user: str,
        event: domain.RegieRequested | domain.RegieTransferProposed,
    ) -> None:
        created = await self._cases.create_proposal(
            case_id=step.loaded.row.id,
            kind=kind,
            from_user=from_user,
            to_user=to_user,
            now=event.at,
            expires_at=event.expires_at,
        )
        if created is None:
            raise Refused(self._view.refused(domain.RefusalCode.NO_PENDING_PROPOSAL))

    async def _regie_transferred(self, step: Step, event: domain.RegieTransferred) -> str:
        row = step.loaded.row
        await self._resolve_open(row.id, "accepted", event.at)
        await self._cases.transfer_regie(
            row.id, event.previous, event.new_holder, step.org_of(event.new_holder), event.at
        )
        return await self._view.regie_transferred(row, event.previous, event.new_holder)

    async def _regie_declined(self, step: Step, event: domain.RegieDeclined) -> str:
        await self._resolve_open(step.loaded.row.id, "declined", event.at)
        return await self._view.regie_declined(
            event.actor or "", step.loaded.state.regie_holder or ""
        )

    async def _regie_released(self, step: Step, event: domain.RegieReleased) -> str:
        row = step.loaded.row
        await self._cases.release_regie(row.id, event.previous, event.at)
        line = await self._view.regie_released(row, event.previous)
        note = await self._view.coord_released(row, event.previous)
        await self._coordination.tell(f"released:{step.key}", note)
        return line

    async def _regie_assigned(self, step: Step, event: domain.RegieAssigned) -> str:
        row, holder = step.loaded.row, event.new_holder
        await self._cases.assign_regie(row.id, holder, step.org_of(holder), event.at)
        return await self._view.regie_assigned(holder, event.reason)

    async def _proposal_expired(self, step: Step, event: domain.ProposalExpired) -> str:
        await self._resolve_open(step.loaded.row.id, "expired", event.at)
        return await self._view.proposal_expired(
            event.from_user, event.to_user, step.loaded.state.regie_holder or ""
        )

    async def _proposal_cancelled(self, step: Step, event: domain.ProposalCancelled) -> str:
        await self._resolve_open(step.loaded.row.id, "cancelled", event.at)
        return ""

    async def _member_added(self, step: Step, event: domain.MemberAdded) -> str:
        row = step.loaded.row
        await self._cases.add_member(row.id, event.user, event.organisation_code, event.at)
        await self._room_job(step, JOB_INVITE, "invite", event.user, event.at)
        return await self._view.invited(event.user)

    async def _member_removed(self, step: Step, event: domain.MemberRemoved) -> str:
        row = step.loaded.row
        await self._cases.mark_member_left(row.id, event.user, event.at)
        if event.cause not in _KICKED or row.room_id is None:
            return await self._view.member_left(event.user)
        await self._room_job(step, JOB_KICK, "kick", event.user, event.at)
        return await self._view.removed(event.user, event.cause)

    async def _casemanager_taken(self, step: Step, event: domain.CasemanagerTaken) -> str:
        await self._cases.set_casemanager(step.loaded.row.id, event.user, event.organisation_code)
        return await self._view.casemanager_taken(
            event.user, event.organisation_code, event.previous
        )

    async def _room_job(self, step: Step, kind: str, what: str, user: str, now: datetime) -> None:
        """Schedule inviting ``user`` to (or removing them from) the case room, if it exists."""
        row = step.loaded.row
        if row.room_id is None:
            return
        await self._jobs.schedule(
            kind,
            now,
            {"room_id": row.room_id, "user_id": user},
            now,
            dedupe_key=f"{what}:{step.key}:{user}",
            entity_type="case",
            entity_id=str(row.id),
        )

    async def _resolve_open(self, case_id: int, resolution: str, now: datetime) -> None:
        proposal = await self._cases.open_proposal(case_id)
        if proposal is not None:
            await self._cases.resolve_proposal(proposal.id, resolution, now)
