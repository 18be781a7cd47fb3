"""``avz-bot report``: the trend report as files (PNG charts, CSV tables, one HTML page).

The same service as ``!rapport`` (``avz_bot.services.reports.service``), so the same figures; it
only reads the database and never talks to Matrix, so it can run beside the bot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from avz_bot.clock import SystemClock
from avz_bot.messages import Messages
from avz_bot.services.refusal import Refused
from avz_bot.services.reports.render import render_html, table_csv
from avz_bot.services.reports.results import Report
from avz_bot.services.reports.sections import report_providers
from avz_bot.services.reports.service import ReportService
from avz_bot.settings import Settings
from storage.db import Database


@dataclass(frozen=True)
class ReportFiles:
    """What ``write_report`` wrote, and the summary it printed."""

    summary: str
    paths: list[Path]


class ReportCliError(Exception):
    """The request cannot be served; the message is the Dutch explanation."""


async def write_report(
    settings: Settings,
    period: str | None,
    municipality: str | None,
    out: Path,
    now: datetime | None = None,
) -> ReportFiles:
    """Build the report and write its files to ``out`` (created if needed).

    Files: ``<stem>-<chart>.png`` per chart, ``<stem>-<table>.csv`` per table,
    ``<stem>.csv`` (all tables) and ``<stem>.html`` (self-contained). Raises
    ``ReportCliError`` for an unknown period or municipality.
    """
    database = Database(settings.database_url)
    messages = Messages(settings.bot.locale)
    try:
        await database.check_schema()
        async with database.session() as session, session.begin():
            calendar = settings.calendar.build()
            service = ReportService(
                session,
                now or SystemClock().now(),
                calendar,
                settings.cases,
                settings.reports,
                messages,
                providers=report_providers(settings.helpdesk, calendar),
            )
            try:
                resolved, code = service.resolve(period, municipality)
            except Refused as exc:
                raise ReportCliError(exc.reply.plain) from None
            report = await service.build(resolved, code)
    finally:
        await database.dispose()
    return save_report(service, report, out)


def save_report(service: ReportService, report: Report, out: Path) -> ReportFiles:
    """Write ``report``'s files to ``out`` (see :func:`write_report`); also the demo's."""
    view = service.view
    charts, combined = service.files(report)
    stem = view.file_stem(report)
    files: list[tuple[str, bytes]] = [(chart.filename, chart.data) for chart in charts]
    for section in report.sections:
        for table in section.tables:
            files.append((f"{stem}-{table.key}.csv", table_csv(table, view)))
    files.append((f"{stem}.csv", combined))
    files.append((f"{stem}.html", render_html(report, view, charts).encode("utf-8")))
    return ReportFiles(view.summary(report).plain, _save(out, files))


def _save(out: Path, files: list[tuple[str, bytes]]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in files:
        path = out / name
        path.write_bytes(data)
        paths.append(path)
    return paths
