"""Persisting what the domain decided: one accepted transition's events, in order.

:meth:`CasePersisting.apply` turns a refusal into :class:`CaseCommandError` or writes
each event of a transition (:meth:`CasePersisting._persist`): the case tables, the audit
trail, room side effects (durable jobs), messages to the coordination room, and the line
of the reply.
"""

from __future__ import annotations

from datetime import datetime

from avz_bot.domain import cases as domain
from avz_bot.domain.agreements.status import AgreementStatus
from avz_bot.domain.cases import CaseEvent, CaseStatus, Refusal, Transition
from avz_bot.domain.inbound import Reply
from avz_bot.formatting import paragraphs, text
from avz_bot.services.cases.base import CaseCommandError, CaseServiceBase, LoadedCase
from avz_bot.services.cases.rooms import JOB_INVITE, JOB_KICK
from storage.agreement_repositories import AgreementRepository


class CasePersisting(CaseServiceBase):
    """Writing the events of accepted transitions."""

    async def apply(
        self, loaded: LoadedCase, outcome: Transition | Refusal, room_id: str, key: str
    ) -> Reply:
        """Persist an accepted transition (or explain a refusal); returns the reply.

        ``key`` (the triggering event id) makes the transaction ids of any messages to
        other rooms unique and repeatable.
        """
        if isinstance(outcome, Refusal):
            raise CaseCommandError(self.refusal_reply(outcome))
        lines: list[str] = []
        for event in outcome.events:
            line = await self._persist(loaded, event, room_id, key)
            if line:
                lines.append(line)
        return paragraphs(*lines)

    async def _persist(self, loaded: LoadedCase, event: CaseEvent, room_id: str, key: str) -> str:
        row = loaded.row
        repo = self.cases
        now = event.at
        t = self.t
        name = self.name
        line = ""
        directory = await self.directory()

        def org_of(user: str) -> str:
            member = loaded.state.members.get(user)
            if member is not None:
                return member.organisation_code
            found = directory.get(user)
            return found.organisation.code if found else ""

        if isinstance(event, domain.StatusChanged):
            changed = await repo.change_status(
                row.id, event.old_status.value, event.new_status.value, now
            )
            if not changed:
                raise CaseCommandError(self.refusal_reply(Refusal(domain.RefusalCode.CASE_CLOSED)))
            if event.new_status is CaseStatus.GESLOTEN:
                line = t("case.closed", reference=row.reference, reason=event.reason)
                # Scheduled work for the case (reminders, later escalations) ends here.
                await self._jobs.cancel_for_entity("case", str(row.id), now)
                open_agreements = await AgreementRepository(self._session).list_for_case(
                    row.id, statuses=[AgreementStatus.OPEN]
                )
                if open_agreements:
                    line += "\n" + t("case.closed_agreements", count=len(open_agreements))
            else:
                line = t(
                    "case.status_changed",
                    reference=row.reference,
                    old=t(f"case.status.{event.old_status.value}"),
                    new=t(f"case.status.{event.new_status.value}"),
                    reason=event.reason,
                )
        elif isinstance(event, domain.RegieTaken):
            if not await repo.claim_regie(row.id, event.holder, org_of(event.holder), now):
                fresh = await repo.get(row.id)
                holder = fresh.regie_holder if fresh else None
                raise CaseCommandError(
                    text(t("case.regie.lost_race", holder=await name(holder or "?")))
                )
            line = t("case.regie.taken", holder=await name(event.holder), reference=row.reference)
        elif isinstance(event, domain.RegieRequested | domain.RegieTransferProposed):
            kind = "request" if isinstance(event, domain.RegieRequested) else "transfer"
            from_user = (
                event.requester if isinstance(event, domain.RegieRequested) else event.holder
            )
            to_user = event.holder if isinstance(event, domain.RegieRequested) else event.to_user
            created = await repo.create_proposal(
                case_id=row.id,
                kind=kind,
                from_user=from_user,
                to_user=to_user,
                now=now,
                expires_at=event.expires_at,
            )
            if created is None:
                raise CaseCommandError(
                    self.refusal_reply(Refusal(domain.RefusalCode.NO_PENDING_PROPOSAL))
                )
            if kind == "request":
                line = t(
                    "case.regie.requested",
                    holder=await name(to_user),
                    prefix=self._prefix,
                    expires=self.when(event.expires_at),
                )
            else:
                line = t(
                    "case.regie.proposed",
                    holder=await name(from_user),
                    to_user=await name(to_user),
                    prefix=self._prefix,
                    expires=self.when(event.expires_at),
                )
        elif isinstance(event, domain.RegieTransferred):
            await self._resolve_open(row.id, "accepted", now)
            await repo.transfer_regie(
                row.id, event.previous, event.new_holder, org_of(event.new_holder), now
            )
            line = t(
                "case.regie.transferred",
                reference=row.reference,
                previous=await name(event.previous),
                holder=await name(event.new_holder),
            )
        elif isinstance(event, domain.RegieDeclined):
            await self._resolve_open(row.id, "declined", now)
            line = t(
                "case.regie.declined",
                user=await name(event.actor or ""),
                holder=await name(loaded.state.regie_holder or ""),
            )
        elif isinstance(event, domain.RegieReleased):
            await repo.release_regie(row.id, event.previous, now)
            line = t(
                "case.regie.released", previous=await name(event.previous), reference=row.reference
            )
            await self._tell_coordination(
                f"released:{key}",
                t(
                    "case.coord.released",
                    reference=row.reference,
                    municipality=self.municipality_name(row.municipality),
                    case_type=self.case_type_name(row.case_type),
                    previous=await name(event.previous),
                ),
            )
        elif isinstance(event, domain.RegieAssigned):
            await repo.assign_regie(row.id, event.new_holder, org_of(event.new_holder), now)
            line = t(
                "case.regie.assigned", holder=await name(event.new_holder), reason=event.reason
            )
        elif isinstance(event, domain.ProposalExpired):
            await self._resolve_open(row.id, "expired", now)
            line = t(
                "case.regie.expired",
                from_user=await name(event.from_user),
                to_user=await name(event.to_user),
                holder=await name(loaded.state.regie_holder or ""),
            )
        elif isinstance(event, domain.ProposalCancelled):
            await self._resolve_open(row.id, "cancelled", now)
        elif isinstance(event, domain.MemberAdded):
            await repo.add_member(row.id, event.user, event.organisation_code, now)
            if row.room_id is not None:
                await self._jobs.schedule(
                    JOB_INVITE,
                    now,
                    {"room_id": row.room_id, "user_id": event.user},
                    now,
                    dedupe_key=f"invite:{key}:{event.user}",
                    entity_type="case",
                    entity_id=str(row.id),
                )
            line = t("case.invited", user=await name(event.user))
        elif isinstance(event, domain.MemberRemoved):
            await repo.mark_member_left(row.id, event.user, now)
            removed = {domain.EndCause.REMOVED, domain.EndCause.DEREGISTERED}
            if event.cause in removed and row.room_id is not None:
                await self._jobs.schedule(
                    JOB_KICK,
                    now,
                    {"room_id": row.room_id, "user_id": event.user},
                    now,
                    dedupe_key=f"kick:{key}:{event.user}",
                    entity_type="case",
                    entity_id=str(row.id),
                )
                line = t("case.removed", user=await name(event.user))
                if event.cause is domain.EndCause.DEREGISTERED:
                    line = t("ops.case.deregistered", user=await name(event.user))
            else:
                line = t("case.member_left", user=await name(event.user))
        elif isinstance(event, domain.CasemanagerTaken):
            await repo.set_casemanager(row.id, event.user, event.organisation_code)
            org = await self.org_name(event.organisation_code)
            if event.previous:
                line = t(
                    "case.role.taken_from",
                    user=await name(event.user),
                    organisation=org,
                    previous=await name(event.previous),
                )
            else:
                line = t("case.role.taken", user=await name(event.user), organisation=org)
        await self._record(row, event.actor or "bot", event.kind, room_id, event.payload())
        return line

    async def _resolve_open(self, case_id: int, resolution: str, now: datetime) -> None:
        proposal = await self.cases.open_proposal(case_id)
        if proposal is not None:
            await self.cases.resolve_proposal(proposal.id, resolution, now)
