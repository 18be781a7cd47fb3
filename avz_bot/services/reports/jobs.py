"""The scheduled report: last month's (and last quarter's) report in the coordination room.

One durable job row (``dedupe_key`` ``reports:scheduled``) is due on the first working day
of every month at ``[reports] scheduled_time`` (Europe/Amsterdam). When it runs it queues
the report of the previous month — and on the first working day of January, April, July
and October also that of the previous quarter — in the coordination room, then re-arms
itself for the next month. The outbox key names the period, so a report is posted once
even if the job runs twice; a job that was due while the bot was down runs once at start-up
and says it is late.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from avz_bot.domain.inbound import Reply
from avz_bot.domain.reports.periods import Period, month_period, quarter_period
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.services.area import Bind
from avz_bot.services.reports.service import ReportService
from avz_bot.settings_sections.reports import ReportSettings
from storage.outbox_repositories import LANE_BULK
from storage.schedule_repositories import JOB_PENDING, JOB_RUNNING, JobRepository, JobRow

JOB_SCHEDULED_REPORT = "reports.scheduled"
SCHEDULED_REPORT_KEY = "reports:scheduled"
#: A scheduled report posted this much after its due time says it is late.
LATE_AFTER = timedelta(minutes=30)


def due_in_month(
    calendar: WorkCalendar, settings: ReportSettings, year: int, month: int
) -> datetime:
    """The scheduled report's moment in ``year-month`` (UTC): its first working day at
    ``scheduled_time`` local time."""
    first = calendar.next_working_day(date(year, month, 1), include_today=True)
    return calendar.at(first, settings.scheduled_time)


def next_due(
    calendar: WorkCalendar, settings: ReportSettings, after: datetime
) -> tuple[datetime, date]:
    """The first scheduled moment strictly after ``after``, and the month it belongs to."""
    local = calendar.local_date(after)
    month = month_period(local.year, local.month)
    for _ in range(2):
        due = due_in_month(calendar, settings, month.start.year, month.start.month)
        if due > after:
            return due, month.start
        month = month_period(month.end.year, month.end.month)
    raise AssertionError("unreachable: next month's first working day is after now")


def periods_due(month: date) -> list[Period]:
    """What is reported in ``month``: the previous month, plus the previous quarter when
    ``month`` starts a quarter."""
    periods = [month_period(month.year, month.month).previous()]
    if month.month in (1, 4, 7, 10):
        quarter = (month.month - 1) // 3 + 1
        periods.append(quarter_period(month.year, quarter).previous())
    return periods


async def arm_scheduled_report(
    session: AsyncSession, now: datetime, calendar: WorkCalendar, settings: ReportSettings
) -> None:
    """Make sure the scheduled-report job exists (at start-up). A pending job — also one
    that fell due while the bot was down — is left alone, so it runs once, late."""
    jobs = JobRepository(session)
    existing = await jobs.by_key(SCHEDULED_REPORT_KEY)
    if not settings.scheduled:
        if existing is not None and existing.status == JOB_PENDING:
            await jobs.cancel_key(SCHEDULED_REPORT_KEY, now)
        return
    if existing is not None and existing.status in {JOB_PENDING, JOB_RUNNING}:
        return
    due, month = next_due(calendar, settings, now)
    await jobs.schedule(
        JOB_SCHEDULED_REPORT,
        due,
        {"month": month.isoformat()},
        now,
        dedupe_key=SCHEDULED_REPORT_KEY,
    )


class ReportJobs:
    """The handler of the scheduled report (runs inside the job's transaction)."""

    def __init__(
        self,
        bind: Bind,
        calendar: WorkCalendar,
        settings: ReportSettings,
        coordination_room: str | None,
    ) -> None:
        self._bind = bind
        self._calendar = calendar
        self._settings = settings
        self._room = coordination_room

    def handlers(self) -> dict[str, Any]:
        """Job kind → handler, for the scheduler."""
        return {JOB_SCHEDULED_REPORT: self.scheduled}

    async def scheduled(self, session: AsyncSession, job: JobRow, now: datetime) -> None:
        """Queue the due reports in the coordination room (bulk), then arm next month's."""
        unit = self._bind(session, lane=LANE_BULK)
        month = date.fromisoformat(str(job.payload["month"]))
        if self._room:
            t = unit[ReportService].messages.t
            intro = t("report.scheduled_intro")
            if now - job.due_at > LATE_AFTER:
                intro = f"{intro} {t('report.scheduled_late')}"
            for period in periods_due(month):
                report = await unit[ReportService].build(period)
                reply = await unit[ReportService].reply(report)
                await unit.enqueue(
                    f"report:{period.label}",
                    self._room,
                    Reply(
                        f"{intro}\n{reply.plain}",
                        f"{intro}<br>{reply.html}",
                        attachments=reply.attachments,
                    ),
                )
        following = month_period(month.year, month.month).end
        due = due_in_month(self._calendar, self._settings, following.year, following.month)
        await JobRepository(session).schedule(
            JOB_SCHEDULED_REPORT,
            due,
            {"month": following.isoformat()},
            now,
            dedupe_key=SCHEDULED_REPORT_KEY,
        )
