"""The conferences area's descriptor: Case conferences (casusoverleggen) (see ``avz_bot.services.area``)."""

from __future__ import annotations

from collections.abc import Mapping

from avz_bot.services.agreements.service import AgreementService
from avz_bot.services.area import Area, JobContext, JobHandler, Unit
from avz_bot.services.cases import CaseService
from avz_bot.services.conferences.jobs import (
    ConferenceJobs,
    conference_reaction,
    todays_conferences,
)
from avz_bot.services.conferences.persisting import REACTION_KIND
from avz_bot.services.conferences.service import ConferenceService
from avz_bot.services.conferences.view import ConferenceView


def build(unit: Unit) -> ConferenceService:
    """The conferences service of ``unit``'s transaction."""
    app = unit.app
    return ConferenceService(
        unit.session,
        unit[CaseService],
        unit[AgreementService],
        settings=app.conference_settings,
        calendar=app.calendar,
        view=ConferenceView(
            app.messages, app.calendar, app.prefix, app.conference_settings.uid_domain
        ),
        enqueue=unit.enqueue,
    )


def jobs(context: JobContext) -> Mapping[str, JobHandler]:
    """The conferences area's job kinds and their handlers."""
    return ConferenceJobs(context.bind).handlers()


AREA: Area[ConferenceService] = Area(
    "conferences",
    ConferenceService,
    build,
    reactions={REACTION_KIND: conference_reaction},
    jobs=jobs,
    digest=((50, todays_conferences),),
    plate=ConferenceService.plate_section,
)
