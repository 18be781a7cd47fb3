"""Reports in words: cell formatting, headers, the Dutch summary and error replies.

The one place that turns report figures (``avz_bot.domain.reports.figures``) into text;
the CSV, HTML and chart renderers (``avz_bot.services.reports.render``) use it too, so a figure
reads the same everywhere. Small counts read ``<5`` (the threshold), counts hidden as their
complement read ``x``, suppressed or undefined statistics read ``–``.
"""

from __future__ import annotations

from datetime import date, timedelta

from avz_bot.domain.date_names import DUTCH_NAMES
from avz_bot.domain.inbound import Reply
from avz_bot.domain.reports.figures import Cell, Section, Table
from avz_bot.domain.reports.periods import (
    Change,
    Count,
    Period,
    PeriodError,
    PeriodKind,
    Unit,
    Value,
)
from avz_bot.formatting import paragraphs
from avz_bot.messages import Messages
from avz_bot.services.reports.results import Report
from avz_bot.settings_sections.cases import CasesSettings

#: Shown for a suppressed or undefined statistic.
NOT_SHOWN = "–"
#: Shown for a count hidden only so that a small count cannot be recomputed.
HIDDEN = "x"


def _number(value: float) -> str:
    """Dutch decimal notation with at most one decimal: ``3``, ``3,5``."""
    rounded = round(value, 1)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.1f}".replace(".", ",")


def _day(day: date) -> str:
    """``1 maart 2026`` (no weekday: a period's bounds are not appointments)."""
    return f"{day.day} {DUTCH_NAMES.months[day.month - 1]} {day.year}"


class ReportView:
    """Formats reports in the catalogue's language."""

    def __init__(self, messages: Messages, cases: CasesSettings, threshold: int) -> None:
        self.messages = messages
        self.cases = cases
        self.threshold = threshold

    # ---- cells and labels
    def cell(self, cell: Cell) -> str:
        """One table cell as text."""
        if isinstance(cell, str):
            return self.label(cell)
        if isinstance(cell, Count):
            if not cell.hidden:
                return str(cell.value)
            # A complementary cell is not small: "<5" would be untrue, so it reads "x".
            return f"<{self.threshold}" if cell.value < self.threshold else HIDDEN
        if isinstance(cell, Value):
            if cell.value is None:
                return NOT_SHOWN
            if cell.unit is Unit.SHARE:
                return f"{round(cell.value * 100)}%"
            if cell.unit is Unit.HOURS:
                return f"{_number(cell.value)} u"
            return _number(cell.value)
        return self.change(cell)

    def change(self, change: Change) -> str:
        """``+4 (+50%)``, ``-2``, or ``–`` when it cannot be shown."""
        if change.absolute is None:
            return NOT_SHOWN
        text = f"{change.absolute:+d}"
        if change.percent is not None:
            text += f" ({change.percent:+.0f}%)"
        return text

    def label(self, label: str) -> str:
        """A row label: ``@total`` etc. from the catalogue, names as they are."""
        if label.startswith("@"):
            return self.messages.t(f"report.label.{label[1:]}")
        return label

    def column(self, column: str) -> str:
        """A column header: a case type or municipality name, or a catalogue text."""
        kind, _, code = column.partition(":")
        if kind == "type" and code:
            return self.cases.case_types.get(code, code)
        if kind == "municipality" and code:
            return self.cases.municipalities.get(code, code)
        return self.messages.t(f"report.col.{column}")

    def table_title(self, table: Table) -> str:
        """The title of a table."""
        return self.messages.t(f"report.table.{table.key}")

    def rows(self, table: Table) -> list[list[str]]:
        """The table as text: the header row, then the rows."""
        return [[self.column(c) for c in table.columns]] + [
            [self.cell(c) for c in row] for row in table.rows
        ]

    # ---- periods
    def period(self, period: Period) -> str:
        """``november 2026``, ``2026 Q3``, ``2026`` or ``1 maart 2026 t/m 10 maart 2026``."""
        if period.kind is PeriodKind.MONTH:
            return f"{DUTCH_NAMES.months[period.start.month - 1]} {period.start.year}"
        if period.kind in (PeriodKind.QUARTER, PeriodKind.YEAR):
            return period.label.replace("-", " ")
        return self.messages.t(
            "report.range",
            start=_day(period.start),
            end=_day(period.end - timedelta(days=1)),
        )

    def municipality_code(self, text: str) -> str | None:
        """The municipality code for a code or name (case-insensitive), or ``None``."""
        wanted = " ".join(text.lower().split())
        for code, name in self.cases.municipalities.items():
            if wanted in (code, name.lower()):
                return code
        return None

    # ---- replies
    def period_error(self, error: PeriodError, text: str) -> Reply:
        """Why a period cannot be used, with the accepted forms."""
        return paragraphs(
            self.messages.t(f"report.period.{error.value}", period=text),
            self.messages.t("report.period.forms"),
        )

    def municipality_error(self, text: str) -> Reply:
        """An unknown municipality, with the valid ones and the closest ("Bedoel je …?")."""
        codes = self.cases.municipalities
        return paragraphs(
            self.messages.t(
                "report.unknown_municipality",
                municipality=text,
                choices=", ".join(codes),
                suggestion=self.messages.did_you_mean(text.strip().lower(), codes),
            )
        )

    def title(self, report: Report) -> str:
        """The report's heading."""
        where = (
            self.cases.municipalities.get(report.municipality, report.municipality)
            if report.municipality
            else self.messages.t("report.all_municipalities")
        )
        return self.messages.t(
            "report.title",
            period=self.period(report.period),
            previous=self.period(report.previous),
            where=where,
        )

    def chart_title(self, report: Report, key: str) -> str:
        """``Nieuwe casussen per gemeente, oktober 2026`` (``– Oldambt`` when filtered)."""
        title = self.messages.t(
            "report.chart.title",
            chart=self.messages.t(f"report.chart.{key}"),
            period=self.period(report.period),
        )
        if report.municipality:
            name = self.cases.municipalities.get(report.municipality, report.municipality)
            title += f" – {name}"
        return title

    def section_title(self, section: Section) -> str:
        """A section's heading."""
        return self.messages.t(f"report.section.{section.key}")

    def lines(self, section: Section) -> list[str]:
        """A section's summary lines."""
        return [
            self.messages.t(
                f"report.line.{line.key}", **{k: self.cell(v) for k, v in line.values.items()}
            )
            for line in section.lines
        ]

    def summary(self, report: Report) -> Reply:
        """The short Dutch summary for the room (figures, never names)."""
        parts = [self.title(report)]
        for section in report.sections:
            parts.append(self.section_title(section))
            parts.extend(f"• {line}" for line in self.lines(section))
        parts.append(self.messages.t("report.footnote", threshold=self.threshold))
        return paragraphs(*parts)

    def file_stem(self, report: Report) -> str:
        """``rapport-2026-11`` (``-<gemeente>`` when filtered)."""
        stem = f"rapport-{report.period.label.replace('..', '_')}"
        return f"{stem}-{report.municipality}" if report.municipality else stem

    def csv_filename(self, report: Report) -> str:
        """The combined CSV's file name."""
        return f"{self.file_stem(report)}.csv"
