"""The signals area's descriptor: Signals (signalen), pseudonymous matching and TVO triage (see ``avz_bot.services.area``)."""

from __future__ import annotations

from collections.abc import Mapping

from avz_bot.services.area import Area, JobContext, JobHandler, Unit
from avz_bot.services.cases import CaseService
from avz_bot.services.signals import SignalService
from avz_bot.services.signals.jobs import SignalJobs


def build(unit: Unit) -> SignalService:
    """The signals service of ``unit``'s transaction."""
    app = unit.app
    return SignalService(
        unit.session,
        unit[CaseService],
        settings=app.signal_settings,
        cases_settings=app.cases_settings,
        calendar=app.calendar,
        messages=app.messages,
        prefix=app.prefix,
        enqueue=unit.enqueue,
        device_cross_signed=unit.device_cross_signed,
    )


def jobs(context: JobContext) -> Mapping[str, JobHandler]:
    """The signals area's job kinds and their handlers."""
    return SignalJobs(context.rooms, context.bind).handlers()


AREA: Area[SignalService] = Area(
    "signals",
    SignalService,
    build,
    jobs=jobs,
    plate=SignalService.plate_section,
)
