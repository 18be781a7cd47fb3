"""The cases area's descriptor: Cases, case rooms and procesregie (see ``avz_bot.services.area``)."""

from __future__ import annotations

from collections.abc import Mapping

from avz_bot.services.area import Area, JobContext, JobHandler, Unit
from avz_bot.services.cases import CaseService
from avz_bot.services.cases.closing import CLOSE_REACTION_KIND
from avz_bot.services.cases.jobs import RoomJobs, cases_without_regie


def build(unit: Unit) -> CaseService:
    """The cases service of ``unit``'s transaction."""
    app = unit.app
    return CaseService(
        unit.session,
        now=unit.at,
        settings=app.cases_settings,
        calendar=app.calendar,
        messages=app.messages,
        prefix=app.prefix,
        enqueue=unit.enqueue,
        device_cross_signed=unit.device_cross_signed,
        members=app.members,
        limits=app.limits,
        reads=unit.reads,
    )


def jobs(context: JobContext) -> Mapping[str, JobHandler]:
    """The cases area's job kinds and their handlers."""
    return RoomJobs(context.rooms, context.app.cases_settings, context.bind).handlers()


AREA: Area[CaseService] = Area(
    "cases",
    CaseService,
    build,
    reactions={CLOSE_REACTION_KIND: RoomJobs.close_reaction},
    jobs=jobs,
    digest=((30, cases_without_regie),),
)
