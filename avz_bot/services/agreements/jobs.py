"""Job handlers for reminders: agreement reminders and ``!herinner`` reminders."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.services.agreements.reminders import JOB_GENERAL_REMINDER
from avz_bot.services.agreements.service import JOB_AGREEMENT_REMINDER, AgreementService
from avz_bot.services.area import Bind, DigestSection, Unit
from avz_bot.services.cases import CaseService
from storage.escalation_repositories import overdue_agreements_by_municipality
from storage.outbox_repositories import LANE_BULK
from storage.schedule_repositories import JobRow


class ReminderJobs:
    """Handlers for the reminder job kinds (each runs inside the job's transaction;
    reminders are bulk notifications)."""

    def __init__(self, bind: Bind) -> None:
        self._bind = bind

    def handlers(self) -> dict[str, Any]:
        """Job kind → handler, for the scheduler."""
        return {
            JOB_AGREEMENT_REMINDER: self.agreement,
            JOB_GENERAL_REMINDER: self.general,
        }

    async def agreement(self, session: AsyncSession, job: JobRow, now: datetime) -> None:
        """Deliver an agreement's due reminder and arm its next one."""
        del now  # the unit of work reads the same clock
        unit = self._bind(session, lane=LANE_BULK)
        await unit[AgreementService].deliver_agreement_reminder(job, unit.enqueue)

    async def general(self, session: AsyncSession, job: JobRow, now: datetime) -> None:
        """Deliver a ``!herinner`` reminder."""
        del now
        unit = self._bind(session, lane=LANE_BULK)
        await unit[AgreementService].deliver_general_reminder(job, unit.enqueue)


async def overdue_agreements(unit: Unit, limit: int) -> DigestSection:
    """The number of overdue open agreements per municipality (one grouped query)."""
    cases = unit[CaseService]
    counts = await overdue_agreements_by_municipality(unit.session, unit.now())
    lines = [
        cases.t(
            "esc.digest.agreements_line",
            municipality=cases.municipality_name(municipality),
            count=count,
        )
        for municipality, count in counts
    ]
    return DigestSection.bounded(cases.t("esc.digest.agreements"), lines, limit)
