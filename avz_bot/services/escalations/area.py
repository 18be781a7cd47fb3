"""The escalations area's descriptor: Escalations (opschalingen) with acknowledgement and clocks (see ``avz_bot.services.area``)."""

from __future__ import annotations

from collections.abc import Mapping

from avz_bot.services.area import Area, JobContext, JobHandler, Unit
from avz_bot.services.cases import CaseService
from avz_bot.services.escalations import REACTION_KIND, EscalationService
from avz_bot.services.escalations.jobs import (
    EscalationJobs,
    open_escalations,
    overdue_acknowledgements,
)
from avz_bot.services.outbox import txn_id_for


def build(unit: Unit) -> EscalationService:
    """The escalations service of ``unit``'s transaction."""
    app = unit.app
    return EscalationService(
        unit.session,
        unit[CaseService],
        settings=app.escalation_settings,
        calendar=app.calendar,
        messages=app.messages,
        prefix=app.prefix,
        enqueue=unit.enqueue,
        direct=unit.direct,
        txn_id=lambda key: txn_id_for("notify", key),
        late_after=app.late_after,
    )


def jobs(context: JobContext) -> Mapping[str, JobHandler]:
    """The escalations area's job kinds and their handlers."""
    return EscalationJobs(context.bind).handlers()


AREA: Area[EscalationService] = Area(
    "escalations",
    EscalationService,
    build,
    reactions={REACTION_KIND: EscalationJobs.reaction},
    jobs=jobs,
    digest=((10, open_escalations), (20, overdue_acknowledgements)),
    plate=EscalationService.plate_section,
)
