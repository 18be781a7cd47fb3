"""Trend reports: one unit of work builds a report from the registered section providers.

``ReportService.build`` reads only (aggregate queries, see ``storage.report_repositories``);
``ReportService.reply`` renders the result for a room: a short Dutch summary, the charts
as ``m.image`` attachments and the tables as one CSV ``m.file`` (both uploaded encrypted
by the gateway). The command (``commands/reports.py``), the CLI (``avz-bot report``) and
the scheduled report (``avz_bot.services.reports.jobs``) all go through this service, so
they show the same figures.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.inbound import Attachment, Reply
from avz_bot.domain.reports.periods import (
    Period,
    PeriodError,
    WorkingTime,
    month_period,
    parse_period,
)
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.formatting import paragraphs
from avz_bot.messages import Messages
from avz_bot.services.refusal import Refused
from avz_bot.services.reports.render import RenderedChart, render_charts, render_csv
from avz_bot.services.reports.results import Report
from avz_bot.services.reports.sections import (
    ReportContext,
    SectionProvider,
    default_providers,
    labels_for,
)
from avz_bot.services.reports.view import ReportView
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.settings_sections.reports import ReportSettings
from storage.report_repositories import Window

#: Trend lines cover this many months (ending with the period's last month) at least.
TREND_MONTHS = 12
#: The working-day table reaches this far back (older instants use the calendar directly).
WORKTIME_HISTORY = timedelta(days=800)


@dataclass
class ReportService:
    """Builds and renders reports inside one transaction (read only)."""

    session: AsyncSession
    now: datetime
    calendar: WorkCalendar
    cases: CasesSettings
    settings: ReportSettings
    messages: Messages
    providers: Sequence[SectionProvider] = field(default_factory=default_providers)

    @property
    def view(self) -> ReportView:
        """The Dutch rendering of reports."""
        return ReportView(self.messages, self.cases, self.settings.suppression_threshold)

    def check_room(self, room_id: str) -> None:
        """Reports are asked for in the coordination room only (they cover all cases);
        ``Refused`` elsewhere."""
        room = self.cases.coordination_room
        if not room:
            raise Refused(paragraphs(self.messages.t("report.no_coordination")))
        if room_id != room:
            raise Refused(paragraphs(self.messages.t("report.only_coordination")))

    def period_text(self, period: str | None, start: str | None, end: str | None) -> str | None:
        """The period as one text: ``periode=`` or ``van=… tot=…`` (both needed)."""
        if start is None and end is None:
            return period
        if period is not None or start is None or end is None:
            raise Refused(paragraphs(self.messages.t("report.range_incomplete")))
        return f"van={start} tot={end}"

    def resolve(
        self, period_text: str | None, municipality: str | None
    ) -> tuple[Period, str | None]:
        """The period and municipality code a user asked for; ``Refused``
        (with a Dutch reply) for an unknown period form or municipality."""
        today = self.calendar.local_date(self.now)
        period = parse_period(period_text or "vorige maand", today)
        if isinstance(period, PeriodError):
            raise Refused(self.view.period_error(period, period_text or ""))
        code = None
        if municipality:
            code = self.view.municipality_code(municipality)
            if code is None:
                raise Refused(self.view.municipality_error(municipality))
        return period, code

    async def build(self, period: Period, municipality: str | None = None) -> Report:
        """Compute every registered section for ``period`` (and the previous period)."""
        previous = period.previous()
        cal = self.calendar
        months = period.months()
        if len(months) < TREND_MONTHS:
            first = months[-1]
            months = [
                month_period(*_back(first.year, first.month, n)).start
                for n in range(TREND_MONTHS - 1, -1, -1)
            ]
        trend: list[Window] = [month_period(m.year, m.month).utc_bounds(cal) for m in months]
        today = cal.local_date(self.now)
        work = WorkingTime(
            cal,
            min(previous.start, today) - WORKTIME_HISTORY,
            max(period.end, today) + timedelta(days=1),
        )
        ctx = ReportContext(
            session=self.session,
            period=period,
            previous=previous,
            current_window=period.utc_bounds(cal),
            previous_window=previous.utc_bounds(cal),
            trend_months=trend,
            municipality=municipality,
            now=self.now,
            labels=labels_for(self.cases.municipalities, self.cases.case_types, municipality),
            work=work,
            threshold=self.settings.suppression_threshold,
        )
        sections = []
        for provider in self.providers:
            section = await provider.section(ctx)
            if section is not None:
                sections.append(section)
        return Report(
            period,
            previous,
            municipality,
            self.now,
            self.settings.suppression_threshold,
            tuple(sections),
        )

    def files(self, report: Report) -> tuple[list[RenderedChart], bytes]:
        """The charts (PNG) and the combined CSV of ``report``."""
        return render_charts(report, self.view), render_csv(report, self.view)

    async def reply(self, report: Report) -> Reply:
        """The room message: the summary, then the charts and the CSV as attachments.

        The charts are drawn in a worker thread (matplotlib's object API keeps no global
        state), so the bot keeps handling other rooms meanwhile."""
        charts, csv_bytes = await asyncio.to_thread(self.files, report)
        summary = self.view.summary(report)
        attachments = [
            Attachment(
                c.filename, "image/png", c.data, msgtype="m.image", width=c.width, height=c.height
            )
            for c in charts
        ]
        attachments.append(
            Attachment(self.view.csv_filename(report), "text/csv", csv_bytes, msgtype="m.file")
        )
        return Reply(summary.plain, summary.html, attachments=tuple(attachments))


def _back(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) - n
    return index // 12, index % 12 + 1
