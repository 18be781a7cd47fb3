"""The helpdesk area's descriptor: The helpdesk (vraagbaak) and the knowledge base (see ``avz_bot.services.area``)."""

from __future__ import annotations

from collections.abc import Mapping

from avz_bot.services.area import Area, JobContext, JobHandler, Unit
from avz_bot.services.helpdesk.jobs import HelpdeskJobs, helpdesk_reaction
from avz_bot.services.helpdesk.service import REACTION_KIND, HelpdeskService
from avz_bot.services.helpdesk.view import HelpdeskView


def build(unit: Unit) -> HelpdeskService:
    """The helpdesk service of ``unit``'s transaction."""
    app = unit.app
    return HelpdeskService(
        unit.session,
        now=unit.at,
        settings=app.helpdesk_settings,
        calendar=app.calendar,
        analyzer=app.analyzer,
        view=HelpdeskView(app.messages, app.prefix, app.calendar, app.helpdesk_settings.themes),
        enqueue=unit.enqueue,
        direct=unit.direct,
        coordination_room=app.cases_settings.coordination_room,
        device_cross_signed=unit.device_cross_signed,
    )


def jobs(context: JobContext) -> Mapping[str, JobHandler]:
    """The helpdesk area's job kinds and their handlers."""
    return HelpdeskJobs(context.bind).handlers()


AREA: Area[HelpdeskService] = Area(
    "helpdesk",
    HelpdeskService,
    build,
    reactions={REACTION_KIND: helpdesk_reaction},
    jobs=jobs,
    plate=HelpdeskService.plate_section,
)
