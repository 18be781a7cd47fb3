"""Report files: charts (matplotlib, headless Agg), CSV and a self-contained HTML page.

Charts are drawn with matplotlib's object API on a ``Figure`` with an Agg canvas (no
pyplot, no display, no global state), at ``CHART_SIZE`` pixels. Suppressed counts are
never drawn: a hidden bar is left out (its label reads ``<5``), a hidden month leaves a
gap in its line, and box plots only show groups of at least the threshold, with whiskers
at the 10th and 90th percentile and without outliers (an outlier is one person's value).
Count axes are whole numbers from 0; every title names the period (and the municipality
when filtered); a chart with nothing to show (every count hidden or zero, no group large
enough) is a placeholder that says so (``report.chart.empty``) instead of an empty frame.

CSV: semicolon-separated, UTF-8 with a byte-order mark, so Dutch Excel opens it with the
right columns and accents (RFC 4180 quoting otherwise). The combined file holds every
table, each preceded by a line with its title and followed by an empty line.
"""

from __future__ import annotations

import base64
import csv
import io
from dataclasses import dataclass
from html import escape

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from avz_bot.domain.date_names import DUTCH_NAMES
from avz_bot.domain.reports.figures import Bars, Boxes, Chart, Table, Trend
from avz_bot.services.reports.results import Report
from avz_bot.services.reports.view import ReportView

#: Chart size in pixels (width, height) and its resolution.
CHART_SIZE = (1000, 500)
DPI = 100
#: The byte-order mark that tells Excel the CSV is UTF-8.
BOM = "\ufeff"
CURRENT_COLOUR = "#1f5f8b"
PREVIOUS_COLOUR = "#a6bddb"
#: Font sizes (points at DPI 100): legends and labels a reader can read on a laptop.
LEGEND_SIZE = 11
LABEL_SIZE = 10
#: Headroom above the highest count, so the number on top of a bar stays inside.
HEADROOM = 1.15


@dataclass(frozen=True, slots=True)
class RenderedChart:
    """A PNG chart."""

    key: str
    filename: str
    data: bytes
    width: int
    height: int
    title: str


def _figure() -> tuple[Figure, FigureCanvasAgg]:
    figure = Figure(figsize=(CHART_SIZE[0] / DPI, CHART_SIZE[1] / DPI), dpi=DPI)
    return figure, FigureCanvasAgg(figure)


def _png(figure: Figure, canvas: FigureCanvasAgg) -> bytes:
    buffer = io.BytesIO()
    # No bbox_inches="tight": the image keeps exactly CHART_SIZE.
    canvas.print_png(buffer)  # type: ignore[no-untyped-call]
    return buffer.getvalue()


def _margins(figure: Figure, right: float = 0.98) -> None:
    # Fixed margins instead of tight_layout(): that would draw every chart twice.
    figure.subplots_adjust(left=0.07, right=right, top=0.84, bottom=0.26)


def _count_axis(axes: Axes, highest: int, label: str) -> None:
    """A count axis: whole numbers only, from 0, with room above the highest value."""
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(0, max(1.0, highest * HEADROOM))
    axes.set_ylabel(label, fontsize=LABEL_SIZE)


def _placeholder(view: ReportView) -> Figure:
    """A chart with nothing to show: the sentence instead of an empty frame."""
    figure, _ = _figure()
    figure.text(
        0.5,
        0.5,
        view.messages.t("report.chart.empty", threshold=view.threshold),
        ha="center",
        va="center",
        fontsize=14,
        color="#444444",
        wrap=True,
    )
    return figure


def _bars(chart: Bars, view: ReportView, report: Report) -> Figure | None:
    shown = [c.value for c in (*chart.current, *chart.previous) if not c.hidden]
    if not any(shown):
        return None
    figure, _ = _figure()
    _margins(figure)
    axes = figure.add_subplot()
    positions = range(len(chart.labels))
    width = 0.4
    for offset, counts, colour, period in (
        (-width / 2, chart.previous, PREVIOUS_COLOUR, report.previous),
        (width / 2, chart.current, CURRENT_COLOUR, report.period),
    ):
        xs = [p + offset for p, c in zip(positions, counts, strict=True) if not c.hidden]
        heights = [c.value for c in counts if not c.hidden]
        bars = axes.bar(xs, heights, width, color=colour, label=view.period(period))
        axes.bar_label(bars, padding=2, fontsize=LABEL_SIZE - 1)
        for p, c in zip(positions, counts, strict=True):
            if c.hidden:
                axes.text(p + offset, 0, view.cell(c), ha="center", va="bottom", fontsize=9)
    axes.set_xticks(list(positions), list(chart.labels), rotation=30, ha="right")
    axes.set_xlim(-0.6, len(chart.labels) - 0.4)
    _count_axis(axes, max(shown), view.messages.t("report.axis.cases"))
    # Above the plot, under the title: it never covers a bar or its number.
    axes.legend(
        fontsize=LEGEND_SIZE, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, frameon=False
    )
    return figure


def _trend(chart: Trend, view: ReportView) -> Figure | None:
    shown = [c.value for _, counts in chart.series for c in counts if not c.hidden]
    if not any(shown):
        return None
    figure, _ = _figure()
    # The legend stands beside the plot, where it hides no line.
    _margins(figure, right=0.7)
    axes = figure.add_subplot()
    xs = list(range(len(chart.months)))
    for name, counts in chart.series:
        ys = [float("nan") if c.hidden else float(c.value) for c in counts]
        axes.plot(xs, ys, marker="o", label=name)
    labels = [f"{DUTCH_NAMES.months[m.month - 1][:3]} {m.year}" for m in chart.months]
    axes.set_xticks(xs, labels, rotation=30, ha="right")
    _count_axis(axes, max(shown), view.messages.t("report.axis.opened"))
    axes.legend(fontsize=LEGEND_SIZE, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return figure


def _boxes(chart: Boxes, view: ReportView) -> Figure | None:
    if not chart.groups:
        return None
    figure, _ = _figure()
    _margins(figure)
    axes = figure.add_subplot()
    # Whiskers at the 10th/90th percentile and no outliers: no single case's value drawn.
    axes.boxplot(
        [list(values) for _, values in chart.groups],
        tick_labels=[view.label(name) for name, _ in chart.groups],
        showfliers=False,
        whis=(10, 90),
    )
    for label in axes.get_xticklabels():
        label.set_rotation(30)
        label.set_horizontalalignment("right")
    axes.set_ylim(bottom=0)
    axes.set_ylabel(view.messages.t(f"report.axis.{chart.unit.value}"), fontsize=LABEL_SIZE)
    return figure


def _draw(chart: Chart, view: ReportView, report: Report) -> Figure:
    """The chart, or the placeholder when it has nothing to show."""
    if isinstance(chart, Bars):
        figure = _bars(chart, view, report)
    elif isinstance(chart, Trend):
        figure = _trend(chart, view)
    else:
        figure = _boxes(chart, view)
    return figure if figure is not None else _placeholder(view)


def render_charts(report: Report, view: ReportView) -> list[RenderedChart]:
    """Every chart of the report as PNG (a placeholder for one with nothing to show)."""
    rendered: list[RenderedChart] = []
    for section in report.sections:
        for chart in section.charts:
            figure = _draw(chart, view, report)
            title = view.chart_title(report, chart.key)
            figure.suptitle(title, fontsize=13)
            canvas = figure.canvas
            assert isinstance(canvas, FigureCanvasAgg)
            data = _png(figure, canvas)
            rendered.append(
                RenderedChart(
                    chart.key,
                    f"{view.file_stem(report)}-{chart.key}.png",
                    data,
                    CHART_SIZE[0],
                    CHART_SIZE[1],
                    title,
                )
            )
    return rendered


def table_csv(table: Table, view: ReportView) -> bytes:
    """One table as its own CSV file (header row first)."""
    buffer = io.StringIO()
    buffer.write(BOM)
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(view.rows(table))
    return buffer.getvalue().encode("utf-8")


def render_csv(report: Report, view: ReportView) -> bytes:
    """All tables in one CSV: per table its title line, header, rows and an empty line."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([view.title(report)])
    writer.writerow([])
    for section in report.sections:
        for table in section.tables:
            writer.writerow([view.table_title(table)])
            writer.writerows(view.rows(table))
            writer.writerow([])
    return buffer.getvalue().encode("utf-8")


def render_html(report: Report, view: ReportView, charts: list[RenderedChart]) -> str:
    """A self-contained HTML page: summary, charts (embedded PNG data URIs), tables."""
    by_key = {c.key: c for c in charts}
    parts = [
        "<!DOCTYPE html>",
        '<html lang="nl"><head><meta charset="utf-8">',
        f"<title>{escape(view.title(report))}</title>",
        "<style>body{font-family:sans-serif;max-width:1040px;margin:2em auto;}"
        "table{border-collapse:collapse;margin:1em 0;}td,th{border:1px solid #ccc;"
        "padding:2px 6px;text-align:right;}td:first-child,th:first-child{text-align:left;}"
        "img{max-width:100%;}</style></head><body>",
        f"<h1>{escape(view.title(report))}</h1>",
    ]
    for section in report.sections:
        parts.append(f"<h2>{escape(view.section_title(section))}</h2><ul>")
        parts += [f"<li>{escape(line)}</li>" for line in view.lines(section)]
        parts.append("</ul>")
        for chart in section.charts:
            rendered = by_key.get(chart.key)
            if rendered is not None:
                data = base64.b64encode(rendered.data).decode("ascii")
                parts.append(
                    f'<figure><img alt="{escape(rendered.title)}" width="{rendered.width}" '
                    f'height="{rendered.height}" src="data:image/png;base64,{data}"></figure>'
                )
        for table in section.tables:
            header, *rows = view.rows(table)
            parts.append(f"<h3>{escape(view.table_title(table))}</h3><table><thead><tr>")
            parts += [f"<th>{escape(h)}</th>" for h in header]
            parts.append("</tr></thead><tbody>")
            for row in rows:
                parts.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>")
            parts.append("</tbody></table>")
    parts.append(f"<p>{escape(view.messages.t('report.footnote', threshold=view.threshold))}</p>")
    parts.append("</body></html>")
    return "\n".join(parts)
