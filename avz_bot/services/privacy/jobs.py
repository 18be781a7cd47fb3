"""Job handlers of the privacy area: a request's reminders to the officer who registered
it (bulk lane; a reminder of a closed, extended or erased request is dropped)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.privacy.requests import RequestStatus
from avz_bot.services.area import Bind
from avz_bot.services.privacy.persisting import JOB_REQUEST_REMINDER
from avz_bot.services.privacy.service import PrivacyService
from storage.outbox_repositories import LANE_BULK
from storage.privacy_repositories import PrivacyRequestRepository
from storage.schedule_repositories import JobRow


class PrivacyJobs:
    """Handlers for the privacy job kinds (each runs inside the job's transaction)."""

    def __init__(self, bind: Bind) -> None:
        self._bind = bind

    def handlers(self) -> dict[str, Any]:
        """Job kind → handler, for the scheduler."""
        return {JOB_REQUEST_REMINDER: self.reminder}

    async def reminder(self, session: AsyncSession, job: JobRow, now: datetime) -> None:
        """Remind the officer of an open request whose deadline is still the one the
        reminder was armed for."""
        del now
        unit = self._bind(session, lane=LANE_BULK)
        row = await PrivacyRequestRepository(session).get(int(job.payload["request_id"]))
        if row is None or row.status != RequestStatus.OPEN:
            return
        if row.due_on.isoformat() != job.payload["due"]:
            return  # extended since: the re-armed reminders take over
        view = unit[PrivacyService].core.view
        lapsed = bool(job.payload["lapsed"])
        await unit.direct(
            row.registered_by,
            f"privacy-reminder:{job.id}:{row.due_on.isoformat()}",
            view.reminder(row, lapsed),
        )
