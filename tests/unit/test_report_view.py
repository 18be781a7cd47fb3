"""How report figures read in Dutch, and the report settings."""

from __future__ import annotations

from datetime import date, time

import pytest
from pydantic import ValidationError

from avz_bot.domain.reports.periods import (
    Change,
    Count,
    Period,
    PeriodError,
    PeriodKind,
    Unit,
    Value,
)
from avz_bot.messages import Messages
from avz_bot.services.reports.view import ReportView
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.settings_sections.reports import ReportSettings

VIEW = ReportView(Messages(), CasesSettings(), 5)


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (Count(7), "7"),
        (Count(0), "0"),
        (Count(3, True), "<5"),
        (Count(12, True), "x"),  # a complementary cell is not small
        (Value(0.5617, 16, Unit.SHARE), "56%"),
        (Value(3.5, 8, Unit.DAYS), "3,5"),
        (Value(4.0, 8, Unit.DAYS), "4"),
        (Value(2.25, 8, Unit.HOURS), "2,2 u"),
        (Value(None, 3, Unit.DAYS), "–"),
        (Change(5, 26.3), "+5 (+26%)"),
        (Change(-1, -8.3), "-1 (-8%)"),
        (Change(8, None), "+8"),
        (Change(None, None), "–"),
        ("@total", "Totaal"),
        ("Oldambt", "Oldambt"),
    ],
)
def test_cells(cell: object, text: str) -> None:
    assert VIEW.cell(cell) == text  # type: ignore[arg-type]


def test_periods_headers_and_names() -> None:
    assert VIEW.period(Period(PeriodKind.MONTH, date(2026, 11, 1), date(2026, 12, 1))) == (
        "november 2026"
    )
    assert VIEW.period(Period(PeriodKind.QUARTER, date(2026, 7, 1), date(2026, 10, 1))) == (
        "2026 Q3"
    )
    assert VIEW.period(Period(PeriodKind.RANGE, date(2026, 3, 1), date(2026, 3, 11))) == (
        "1 maart 2026 t/m 10 maart 2026"
    )
    assert VIEW.column("type:jeugdgroep") == "Jeugdgroep"
    assert VIEW.column("municipality:het-hogeland") == "Het Hogeland"
    assert VIEW.municipality_code("het hogeland") == "het-hogeland"
    assert VIEW.municipality_code("Het-Hogeland") == "het-hogeland"
    assert VIEW.municipality_code("Parijs") is None
    reply = VIEW.period_error(PeriodError.FUTURE, "2030")
    assert "nog niet begonnen" in reply.plain and "periode=2026-Q3" in reply.plain


def test_report_settings() -> None:
    settings = ReportSettings.model_validate({"scheduled_time": "07:30"})
    assert settings.scheduled_time == time(7, 30)
    assert settings.suppression_threshold == 5
    with pytest.raises(ValidationError):
        ReportSettings(suppression_threshold=1)
    with pytest.raises(ValidationError):
        ReportSettings.model_validate({"threshold": 5})
