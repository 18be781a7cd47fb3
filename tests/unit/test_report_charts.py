"""Report charts people can read: whole-number count axes from 0, the period in every
title, and a placeholder sentence instead of an empty frame (issue 25)."""

from __future__ import annotations

import struct
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from avz_bot.domain.reports.figures import Bars, Boxes, Chart, Section, Trend
from avz_bot.domain.reports.periods import Count, Period, PeriodKind, Unit
from avz_bot.messages import Messages
from avz_bot.services.reports import render
from avz_bot.services.reports.results import Report
from avz_bot.services.reports.view import ReportView
from avz_bot.settings_sections.cases import CasesSettings

VIEW = ReportView(Messages(), CasesSettings(), 5)
OCTOBER = Period(PeriodKind.MONTH, date(2026, 10, 1), date(2026, 11, 1))
SEPTEMBER = Period(PeriodKind.MONTH, date(2026, 9, 1), date(2026, 10, 1))
MONTHS = (date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1))
EMPTY_SENTENCE = "te weinig gegevens om te tonen"


def report(*charts: Chart, municipality: str | None = None) -> Report:
    section = Section("caseload", (), (), charts)
    return Report(
        OCTOBER, SEPTEMBER, municipality, datetime(2026, 11, 2, tzinfo=UTC), 5, (section,)
    )


# The failing input of the issue: every bar suppressed ("<5") or zero.
ALL_SUPPRESSED = Bars(
    "caseload_bars",
    ("Groningen", "Oldambt", "Veendam"),
    (Count(3, True), Count(0), Count(2, True)),
    (Count(0), Count(4, True), Count(0)),
)
SOME_BARS = Bars(
    "caseload_bars",
    ("Groningen", "Oldambt", "Veendam"),
    (Count(7), Count(3, True), Count(13)),
    (Count(9), Count(0), Count(6)),
)
EMPTY_TREND = Trend("caseload_trend", MONTHS, (("Jeugd", (Count(2, True), Count(0), Count(0))),))
SOME_TREND = Trend(
    "caseload_trend",
    MONTHS,
    (("Jeugd", (Count(5), Count(2, True), Count(7))), ("Nazorg", (Count(6), Count(8), Count(9)))),
)
NO_BOXES = Boxes("regie_boxes", Unit.DAYS, ())


def texts(figure: Figure) -> str:
    return " ".join(t.get_text() for t in figure.texts).lower()


@pytest.mark.parametrize(
    "chart", [ALL_SUPPRESSED, EMPTY_TREND, NO_BOXES], ids=["bars", "trend", "boxes"]
)
def test_a_chart_with_nothing_to_show_says_so_instead_of_drawing_an_empty_frame(
    chart: Chart,
) -> None:
    figure = render._draw(chart, VIEW, report(chart))
    assert EMPTY_SENTENCE in texts(figure)
    assert figure.axes == []  # no frame, no axis from -0.04 to 0.04


def test_the_placeholder_is_a_png_with_the_period_in_its_title(tmp_path: Path) -> None:
    (rendered,) = render.render_charts(report(ALL_SUPPRESSED), VIEW)
    assert rendered.title == "Nieuwe casussen per gemeente, oktober 2026"
    assert rendered.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", rendered.data[16:24]) == render.CHART_SIZE
    (tmp_path / rendered.filename).write_bytes(rendered.data)


@pytest.mark.parametrize("chart", [SOME_BARS, SOME_TREND], ids=["bars", "trend"])
def test_count_axes_are_whole_numbers_from_zero(chart: Chart) -> None:
    figure = render._draw(chart, VIEW, report(chart))
    (axes,) = figure.axes
    bottom, top = axes.get_ylim()
    assert bottom == 0
    assert top >= 13 if chart is SOME_BARS else top >= 9
    ticks = [t for t in axes.get_yticks() if bottom <= t <= top]
    assert ticks and ticks[0] == 0
    assert all(float(t).is_integer() for t in ticks), ticks


def test_a_single_small_count_still_gets_an_integer_axis() -> None:
    # One visible bar of 1: matplotlib's default would tick 0.2, 0.4, …
    chart = Bars("caseload_bars", ("Groningen",), (Count(1),), (Count(0),))
    (axes,) = render._draw(chart, VIEW, report(chart)).axes
    ticks = [t for t in axes.get_yticks() if 0 <= t <= axes.get_ylim()[1]]
    assert all(float(t).is_integer() for t in ticks), ticks


def test_every_title_names_the_period_and_a_filtered_municipality() -> None:
    charts = render.render_charts(report(SOME_BARS, SOME_TREND, NO_BOXES), VIEW)
    assert [c.title for c in charts] == [
        "Nieuwe casussen per gemeente, oktober 2026",
        "Nieuwe casussen per maand en type, oktober 2026",
        "Werkdagen tot de eerste regiehouder, per type, oktober 2026",
    ]
    (filtered,) = render.render_charts(report(SOME_BARS, municipality="oldambt"), VIEW)
    assert filtered.title == "Nieuwe casussen per gemeente, oktober 2026 – Oldambt"


def test_legends_are_legible() -> None:
    for chart in (SOME_BARS, SOME_TREND):
        (axes,) = render._draw(chart, VIEW, report(chart)).axes
        legend = axes.get_legend()
        assert legend is not None
        assert all(float(t.get_fontsize()) >= 10 for t in legend.get_texts())
