"""The shapes a report section produces: tables, summary lines and chart data.

Pure data, language-neutral: titles, column headers and summary lines are catalogue
keys (``report.*``) resolved by the view; row labels are names the service passed in.
Rendering (text, CSV, HTML, PNG) is in ``avz_bot.services.reports.view`` and
``avz_bot.services.reports.render``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from avz_bot.domain.reports.periods import Change, Count, Unit, Value, compare

Cell = str | Count | Value | Change
"""One table cell: a label, a (possibly hidden) count, a statistic or a change."""


@dataclass(frozen=True, slots=True)
class Table:
    """One table of a section: ``key`` names its title (``report.table.<key>``) and its
    CSV file; ``columns`` are catalogue keys (``report.col.<column>``)."""

    key: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True, slots=True)
class Line:
    """A summary line: catalogue key ``report.line.<key>`` with its figures."""

    key: str
    values: Mapping[str, Cell] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Bars:
    """Grouped bars: per label the current and previous period (hidden counts: no bar)."""

    key: str
    labels: tuple[str, ...]
    current: tuple[Count, ...]
    previous: tuple[Count, ...]


@dataclass(frozen=True, slots=True)
class Trend:
    """A monthly line per series (hidden counts leave a gap)."""

    key: str
    months: tuple[date, ...]
    series: tuple[tuple[str, tuple[Count, ...]], ...]


@dataclass(frozen=True, slots=True)
class Boxes:
    """Box plots of a lead time per group (only groups of at least the threshold)."""

    key: str
    unit: Unit
    groups: tuple[tuple[str, tuple[float, ...]], ...]


Chart = Bars | Trend | Boxes


@dataclass(frozen=True, slots=True)
class Section:
    """A computed report section (``key``: ``caseload``, ``regie``, ``agreements``, …)."""

    key: str
    lines: tuple[Line, ...]
    tables: tuple[Table, ...]
    charts: tuple[Chart, ...] = ()


def count_row(label: str, current: Count, previous: Count) -> tuple[Cell, ...]:
    """``label, current, previous, change`` — the usual comparison row."""
    return (label, current, previous, compare(current, previous))
