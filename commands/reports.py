"""Commands of the trend reports area, declared once. Handlers only call services."""

from __future__ import annotations

from pydantic import BaseModel, Field

from avz_bot.domain.reports.permissions import PERMISSIONS, ReportAction
from avz_bot.services.access_log import Shown
from avz_bot.services.reports.area import AREA as SERVICES
from avz_bot.services.reports.service import ReportService
from commands.arguments import help_text
from commands.framework import (
    Audience,
    AuditNote,
    CommandArea,
    CommandContext,
    CommandSpec,
    HandlerResult,
)


class ReportArgs(BaseModel):
    """``!rapport [periode=…] [gemeente=…] [van=… tot=…]``."""

    period: str | None = Field(
        default=None,
        alias="periode",
        max_length=60,
        json_schema_extra=help_text("arg.report_period"),
    )
    municipality: str | None = Field(
        default=None,
        alias="gemeente",
        max_length=100,
        json_schema_extra=help_text("arg.report_municipality"),
    )
    start: str | None = Field(
        default=None, alias="van", max_length=20, json_schema_extra=help_text("arg.report_from")
    )
    end: str | None = Field(
        default=None, alias="tot", max_length=20, json_schema_extra=help_text("arg.report_to")
    )


async def report(ctx: CommandContext, args: ReportArgs) -> HandlerResult:
    """``!rapport``: the report for a period, in the coordination room only."""
    service: ReportService = ctx.services[ReportService]
    service.check_room(ctx.command.room_id)
    period_text = service.period_text(args.period, args.start, args.end)
    period, municipality = service.resolve(period_text, args.municipality)
    built = await service.build(period, municipality)
    # Figures leave the room with the files: who took which report is in the audit trail.
    ctx.audit.append(
        AuditNote(
            "report.requested",
            "report",
            period.label,
            {"municipality": municipality, "sections": len(built.sections)},
        )
    )
    # The files are aggregated figures, but they leave the room: the access log has who
    # took which report (kind ``report``, ``<period>[/<municipality>]``).
    ctx.services.reads.note(Shown("report", f"{period.label}/{municipality or '*'}"[:80]))
    return HandlerResult(await service.reply(built))


def audience(action: ReportAction) -> Audience:
    """The command audience of ``action``: the one actor of its row in the domain's table
    (``avz_bot.domain.reports.permissions``), whose values are the audiences'."""
    (actor,) = PERMISSIONS[action]
    return Audience(actor.value)


SPECS: tuple[CommandSpec, ...] = (
    CommandSpec(
        name="rapport",
        aliases=("report",),
        summary_key="cmd.rapport.summary",
        handler=report,
        args=ReportArgs,
        audience=audience(ReportAction.REQUEST),
        changes_state=False,
    ),
)

AREA = CommandArea(SPECS, SERVICES)
