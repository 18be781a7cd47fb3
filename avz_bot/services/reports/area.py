"""The reports area's descriptor: Trend reports for administrators (read only) (see ``avz_bot.services.area``)."""

from __future__ import annotations

from collections.abc import Mapping

from avz_bot.services.area import Area, JobContext, JobHandler, Unit
from avz_bot.services.reports.jobs import ReportJobs
from avz_bot.services.reports.sections import report_providers
from avz_bot.services.reports.service import ReportService


def build(unit: Unit) -> ReportService:
    """The reports service of ``unit``'s transaction."""
    app = unit.app
    return ReportService(
        unit.session,
        unit.at,
        app.calendar,
        app.cases_settings,
        app.report_settings,
        app.messages,
        providers=report_providers(app.helpdesk_settings, app.calendar),
    )


def jobs(context: JobContext) -> Mapping[str, JobHandler]:
    """The reports area's job kinds and their handlers."""
    return ReportJobs(
        context.bind,
        context.app.calendar,
        context.app.report_settings,
        context.app.cases_settings.coordination_room,
    ).handlers()


AREA: Area[ReportService] = Area(
    "reports",
    ReportService,
    build,
    jobs=jobs,
)
