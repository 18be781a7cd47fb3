"""Job and reaction handlers of the escalation area, and its sections of the daily digest
(open escalations, overdue acknowledgements; see ``avz_bot.services.operations.digest``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.inbound import IncomingReaction
from avz_bot.domain.partners import Member
from avz_bot.services.area import Bind, DigestSection, Unit
from avz_bot.services.cases import CaseService
from avz_bot.services.escalations import JOB_ESCALATION_CLOCK, EscalationService
from storage.outbox_repositories import LANE_BULK, ReactionTargetRow
from storage.schedule_repositories import JobRow


class EscalationJobs:
    """The escalation clock job and the 👍 reaction handler."""

    def __init__(self, bind: Bind) -> None:
        self._bind = bind

    def handlers(self) -> dict[str, Any]:
        """Job kind → handler, for the scheduler."""
        return {JOB_ESCALATION_CLOCK: self.clock}

    async def clock(self, session: AsyncSession, job: JobRow, now: datetime) -> None:
        """A clock of an escalation fell due (possibly late, after downtime): its
        reminders and next-level pings are bulk notifications."""
        del now
        await self._bind(session, lane=LANE_BULK)[EscalationService].clock_fired(job)

    @staticmethod
    async def reaction(
        unit: Unit,
        member: Member | None,
        target: ReactionTargetRow,
        reaction: IncomingReaction,
    ) -> None:
        """A reaction on an escalation ping (coordination room or direct chat)."""
        await unit[EscalationService].reaction(
            member, target.entity_id, reaction.event_id, reaction.key
        )


async def open_escalations(unit: Unit, limit: int) -> DigestSection:
    """Open escalations, oldest first."""
    lines, more = await unit[EscalationService].open_lines(limit)
    return DigestSection(unit[CaseService].t("esc.digest.open"), lines, more)


async def overdue_acknowledgements(unit: Unit, limit: int) -> DigestSection:
    """Escalations whose acknowledgement timeout has passed, oldest first."""
    lines = await unit[EscalationService].overdue_acknowledgements()
    return DigestSection.bounded(unit[CaseService].t("esc.digest.overdue"), lines, limit)
