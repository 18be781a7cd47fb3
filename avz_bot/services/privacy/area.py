"""The privacy area's descriptor: the access log views, requests of persons concerned,
the access export, restriction, erasure and the retention proof (see
``avz_bot.services.area``)."""

from __future__ import annotations

from collections.abc import Mapping

from avz_bot.services.area import Area, JobContext, JobHandler, Unit
from avz_bot.services.cases import CaseService
from avz_bot.services.privacy.base import PrivacyCore
from avz_bot.services.privacy.jobs import PrivacyJobs
from avz_bot.services.privacy.service import PrivacyService
from avz_bot.services.privacy.view import PrivacyView
from avz_bot.services.signals import SignalService


def build(unit: Unit) -> PrivacyService:
    """The privacy service of ``unit``'s transaction."""
    app = unit.app
    core = PrivacyCore(
        unit.session,
        unit[CaseService],
        unit[SignalService],
        settings=app.privacy_settings,
        operations=app.operations_settings,
        calendar=app.calendar,
        view=PrivacyView(app.messages, app.calendar, app.prefix),
        device_cross_signed=unit.device_cross_signed,
    )
    return PrivacyService(core, unit.direct)


def jobs(context: JobContext) -> Mapping[str, JobHandler]:
    """The privacy area's job kinds and their handlers."""
    return PrivacyJobs(context.bind).handlers()


AREA: Area[PrivacyService] = Area("privacy", PrivacyService, build, jobs=jobs)
