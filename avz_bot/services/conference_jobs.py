"""Job handlers of the case conferences area: the reminders (with the agenda)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.services.conference_events import JOB_CONFERENCE_REMINDER
from avz_bot.services.core import UnitServices
from storage.schedule_repositories import JobRow


class ConferenceJobs:
    """Handlers for the conference job kinds (each runs inside the job's transaction)."""

    def __init__(self, bind: Callable[[AsyncSession], UnitServices]) -> None:
        self._bind = bind

    def handlers(self) -> dict[str, Any]:
        """Job kind → handler, for the scheduler."""
        return {JOB_CONFERENCE_REMINDER: self.reminder}

    async def reminder(self, session: AsyncSession, job: JobRow, now: datetime) -> None:
        """Deliver a conference reminder (the first one posts the agenda too)."""
        del now  # the unit of work reads the same clock
        await self._bind(session).conferences.deliver_reminder(job)
