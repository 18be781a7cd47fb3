"""Job handlers of the case conferences area: the reminders (with the agenda), bulk."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.inbound import IncomingReaction
from avz_bot.domain.partners import Member
from avz_bot.services.area import Bind, DigestSection, Unit
from avz_bot.services.cases import CaseService
from avz_bot.services.conferences.persisting import JOB_CONFERENCE_REMINDER
from avz_bot.services.conferences.service import ConferenceService
from storage.outbox_repositories import LANE_BULK, ReactionTargetRow
from storage.schedule_repositories import JobRow


class ConferenceJobs:
    """Handlers for the conference job kinds (each runs inside the job's transaction)."""

    def __init__(self, bind: Bind) -> None:
        self._bind = bind

    def handlers(self) -> dict[str, Any]:
        """Job kind → handler, for the scheduler."""
        return {JOB_CONFERENCE_REMINDER: self.reminder}

    async def reminder(self, session: AsyncSession, job: JobRow, now: datetime) -> None:
        """Deliver a conference reminder (the first one posts the agenda too)."""
        del now  # the unit of work reads the same clock
        await self._bind(session, lane=LANE_BULK)[ConferenceService].deliver_reminder(job)


async def conference_reaction(
    unit: Unit,
    member: Member | None,
    target: ReactionTargetRow,
    reaction: IncomingReaction,
) -> None:
    """A ✅ (comes) or ❌ (does not) on a conference invitation, counted only from invited
    participants; the case room is told the new attendance."""
    del target
    comes = reaction.key.startswith(("✅", "✔"))
    if member is None or not (comes or reaction.key.startswith("❌")):
        return
    reply = await unit[ConferenceService].reaction(
        reaction.room_id, reaction.sender, reaction.relates_to, comes, key=reaction.event_id
    )
    if reply is not None:
        await unit.enqueue(f"conference-reaction:{reaction.event_id}", reaction.room_id, reply)


async def todays_conferences(unit: Unit, limit: int) -> DigestSection:
    """Today's case conferences per municipality (reference and time, no content)."""
    lines = await unit[ConferenceService].digest_today()
    return DigestSection.bounded(unit[CaseService].t("conference.digest.heading"), lines, limit)
