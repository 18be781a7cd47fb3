"""The agreements area's descriptor: Agreements (afspraken), deadlines and reminders (see ``avz_bot.services.area``)."""

from __future__ import annotations

from collections.abc import Mapping

from avz_bot.services.agreements.jobs import ReminderJobs, overdue_agreements
from avz_bot.services.agreements.service import AgreementService
from avz_bot.services.area import Area, JobContext, JobHandler, Unit
from avz_bot.services.cases import CaseService


def build(unit: Unit) -> AgreementService:
    """The agreements service of ``unit``'s transaction."""
    app = unit.app
    return AgreementService(
        unit.session,
        unit[CaseService],
        calendar=app.calendar,
        policy=app.reminder_policy,
        messages=app.messages,
        prefix=app.prefix,
        late_after=app.late_after,
        plate=unit.plate,
    )


def jobs(context: JobContext) -> Mapping[str, JobHandler]:
    """The agreements area's job kinds and their handlers."""
    return ReminderJobs(context.bind).handlers()


AREA: Area[AgreementService] = Area(
    "agreements",
    AgreementService,
    build,
    jobs=jobs,
    digest=((40, overdue_agreements),),
)
