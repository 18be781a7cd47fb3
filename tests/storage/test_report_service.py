"""Trend reports over a seeded database with known content, on SQLite and PostgreSQL.

The fixture (``avz_bot.testkit.report_fixture``) holds cases over two years, regie events,
agreements, escalations, signals with matches, helpdesk questions and knowledge cards; the expected figures below were worked out by hand from it (see the
comments) and are asserted exactly, including which cells are suppressed.
"""

from __future__ import annotations

import csv
import io
import re
import struct
from collections.abc import Sequence

import pytest

from avz_bot.domain import cases as case_domain
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.messages import Messages
from avz_bot.services.refusal import Refused
from avz_bot.services.reports.render import CHART_SIZE, render_html
from avz_bot.services.reports.results import Report
from avz_bot.services.reports.sections import (
    SectionProvider,
    default_providers,
    report_providers,
)
from avz_bot.services.reports.service import ReportService
from avz_bot.settings_sections.cases import CasesSettings
from avz_bot.settings_sections.helpdesk import HelpdeskSettings, ThemeServiceLevel
from avz_bot.settings_sections.reports import ReportSettings
from avz_bot.testkit.report_fixture import NOW, seed_report_fixture
from storage.db import Database
from storage.report_area_repositories import EscalationReportLoader
from storage.report_repositories import REGIE_HOLDER_ACTIONS, ReportRepository


@pytest.fixture
async def seeded(database: Database) -> Database:
    async with database.session() as session, session.begin():
        await seed_report_fixture(session)
    return database


async def _report(
    database: Database,
    period: str,
    municipality: str | None = None,
    threshold: int = 5,
    providers: Sequence[SectionProvider] | None = None,
) -> tuple[ReportService, Report]:
    async with database.session() as session, session.begin():
        service = ReportService(
            session,
            NOW,
            WorkCalendar(),
            CasesSettings(),
            ReportSettings(suppression_threshold=threshold),
            Messages(),
            providers=default_providers() if providers is None else providers,
        )
        resolved, code = service.resolve(period, municipality)
        return service, await service.build(resolved, code)


def _tables(service: ReportService, report: Report) -> dict[str, list[list[str]]]:
    return {
        table.key: service.view.rows(table)[1:]
        for section in report.sections
        for table in section.tables
    }


def test_regie_actions_are_the_domain_event_kinds() -> None:
    kinds = {case_domain.RegieTaken.kind, case_domain.RegieAssigned.kind}
    kinds.add(case_domain.RegieTransferred.kind)
    assert set(REGIE_HOLDER_ACTIONS) == {f"case.{k}" for k in kinds}


async def test_october_report_exact_figures(seeded: Database) -> None:
    service, report = await _report(seeded, "2026-10")
    assert [s.key for s in report.sections] == ["caseload", "regie", "agreements"]
    t = _tables(service, report)
    # Opened in October: Groningen 7 veelpleger + 6 jeugdgroep, Oldambt 3, Westerkwartier 8.
    # The 3 is small; its column and the totals column each need a second hidden cell, and
    # so on until nothing can be recomputed ("x": hidden complement, never "<5" for a 7).
    assert t["caseload_matrix"] == [
        ["Groningen", "x", "x", "13"],
        ["Oldambt", "0", "<5", "<5"],
        ["Westerkwartier", "0", "x", "x"],
        ["Totaal", "x", "x", "24"],
    ]
    # Active: opened before the end and not closed before the start (incl. the 2025
    # Westerkwartier veelpleger cases closed 15 October); closed: 3 Oldambt + 5 WK.
    assert t["caseload_municipality"] == [
        ["Groningen", "13", "7", "+6 (+86%)", "20", "x", "–", "0", "0", "+0"],
        ["Oldambt", "<5", "x", "–", "9", "x", "–", "<5", "0", "–"],
        ["Westerkwartier", "x", "x", "–", "19", "11", "+8 (+73%)", "x", "0", "–"],
        ["Totaal", "24", "19", "+5 (+26%)", "48", "24", "+24 (+100%)", "8", "0", "+8"],
    ]
    assert t["caseload_type"] == [
        ["Veelpleger", "x", "x", "–", "17", "10", "+7 (+70%)", "x", "0", "–"],
        ["Jeugdgroep", "x", "x", "–", "31", "14", "+17 (+121%)", "<5", "0", "–"],
        ["Totaal", "24", "19", "+5 (+26%)", "48", "24", "+24 (+100%)", "8", "0", "+8"],
    ]
    assert t["caseload_city"] == [
        ["Stad Groningen", "13", "7", "+6 (+86%)", "20", "x", "–", "0", "0", "+0"],
        ["Overige gemeenten", "11", "12", "-1 (-8%)", "28", "x", "–", "8", "0", "+8"],
    ]
    # Working days to the first regiehouder: veelpleger 0,1,1,2,3,5,8 → 2; jeugdgroep
    # 1,1,2,2,4 and 8×0 → 0; all 20 → 1. September: 3,3,4,6,10 → 4; 2×1, 6×2, 6×0 → 1.
    assert t["regie_first"] == [
        ["Veelpleger", "2", "4"],
        ["Jeugdgroep", "0", "1"],
        ["Totaal", "1", "2"],
    ]
    # Without regie now: Groningen 1 (35 working days), Oldambt 3 (33), Westerkwartier 2
    # (released 21 September: 50) → median of 33,33,33,35,50,50 = 34.
    assert t["regie_vacant"] == [
        ["Groningen", "<5", "–"],
        ["Oldambt", "<5", "–"],
        ["Westerkwartier", "<5", "–"],
        ["Totaal", "6", "34"],
    ]
    # "3 t/m 5", not "3-5": Dutch Excel would turn "3-5" and "6-10" into dates.
    assert t["regie_vacant_days"] == [
        ["0 t/m 2", "0"],
        ["3 t/m 5", "0"],
        ["6 t/m 10", "0"],
        ["meer dan 10", "6"],
    ]
    # Changes in October: 8 transfers (WK) + 4 taken again after a release = 12 cases
    # with one change; the November assignments are outside the period.
    assert t["regie_changes"] == [
        ["0", "32", "24", "+8 (+33%)"],
        ["1", "12", "0", "+12"],
        ["2", "0", "0", "+0"],
        ["3 of meer", "0", "0", "+0"],
        ["Totaal", "44", "24", "+20 (+83%)"],
    ]
    # Agreements due in October: Groningen 10 (7 on time; late 2, 3, 5 working days; a
    # lapsed one not counted), Westerkwartier 6 (2 on time; late 1, 4; 2 open: 26 each).
    assert t["agreements_municipality"] == [
        ["Groningen", "10", "–", "100%", "–", "–"],
        ["Oldambt", "0", "–", "–", "–", "–"],
        ["Westerkwartier", "6", "–", "–", "–", "–"],
        ["Totaal", "16", "56%", "–", "4", "–"],
    ]
    summary = service.view.summary(report).plain
    assert "Nieuwe casussen: 24 (+5 (+26%)); actief: 48 (+24 (+100%)); gesloten: 8 (+8)" in summary
    assert "stad Groningen: 13 (+6 (+86%)); in de andere gemeenten: 11 (-1 (-8%))" in summary
    assert "Nu zonder regie: 6 casussen, mediaan 34 werkdagen" in summary
    assert "Regiewisselingen: 12 (vorige periode: 0); 27% van de casussen" in summary
    assert "op tijd klaar: 56% (vorige periode: –)" in summary
    assert "Te laat: mediaan 4 werkdagen" in summary
    # 4 postponements (<5) on 3 agreements: neither count nor share is shown.
    assert "Uitstel: <5 keer (–); – van de afspraken kreeg uitstel" in summary


async def test_threshold_is_configurable(seeded: Database) -> None:
    service, report = await _report(seeded, "2026-10", threshold=3)
    t = _tables(service, report)
    assert t["caseload_matrix"] == [
        ["Groningen", "7", "6", "13"],
        ["Oldambt", "0", "3", "3"],
        ["Westerkwartier", "0", "8", "8"],
        ["Totaal", "7", "17", "24"],
    ]
    assert t["regie_vacant"][1] == ["Oldambt", "3", "33"]


async def test_municipality_filter(seeded: Database) -> None:
    service, report = await _report(seeded, "2026-10", "Groningen")
    t = _tables(service, report)
    assert t["caseload_municipality"][-1][:4] == ["Totaal", "13", "7", "+6 (+86%)"]
    assert [row[0] for row in t["caseload_matrix"]] == ["Groningen", "Totaal"]
    assert t["regie_vacant"] == [["Groningen", "<5", "–"], ["Totaal", "<5", "–"]]
    assert t["agreements_municipality"][-1][:2] == ["Totaal", "10"]
    assert "caseload_city" not in t
    assert "stad Groningen" not in service.view.summary(report).plain


async def test_year_report_compares_with_the_previous_year(seeded: Database) -> None:
    service, report = await _report(seeded, "2025")
    t = _tables(service, report)
    # 2025: 5 Westerkwartier veelpleger + 4 Groningen PGA opened; the PGA closed in 2025.
    assert t["caseload_municipality"][-1] == [
        "Totaal",
        "9",
        "0",
        "+9",
        "9",
        "0",
        "+9",
        "<5",
        "0",
        "–",
    ]
    assert report.previous.label == "2024"


async def test_bad_requests_are_refused_with_dutch_text(seeded: Database) -> None:
    async with seeded.session() as session, session.begin():
        service = ReportService(
            session, NOW, WorkCalendar(), CasesSettings(), ReportSettings(), Messages()
        )
        with pytest.raises(Refused) as period:
            service.resolve("volgend jaar", None)
        assert "Deze periode ken ik niet" in period.value.reply.plain
        with pytest.raises(Refused) as muni:
            service.resolve("2026", "Parijs")
        assert "De gemeente 'Parijs' ken ik niet" in muni.value.reply.plain
        assert "Bedoel je" not in muni.value.reply.plain  # nothing close: no guess
        # A typo gets the closest municipality (issue 25), in any case of letters.
        for typed in ("grongingen", "Groningn", "oldamt"):
            with pytest.raises(Refused) as typo:
                service.resolve("2026", typed)
            expected = "oldambt" if typed == "oldamt" else "groningen"
            assert f"Bedoel je {expected}?" in typo.value.reply.plain, typed
        with pytest.raises(Refused):
            service.period_text(None, "2026-01-01", None)


async def test_files_png_size_csv_round_trip_and_html(seeded: Database) -> None:
    service, report = await _report(seeded, "2026-10")
    charts, data = service.files(report)
    assert [c.key for c in charts] == [
        "caseload_bars",
        "caseload_trend",
        "regie_boxes",
        "agreements_boxes",
    ]
    for chart in charts:
        assert chart.data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", chart.data[16:24])
        assert (width, height) == CHART_SIZE == (chart.width, chart.height)
    # CSV: BOM, semicolons; every table comes back exactly as rendered.
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    expected = [[service.view.title(report)], []]
    for section in report.sections:
        for table in section.tables:
            expected += [[service.view.table_title(table)], *service.view.rows(table), []]
    assert parsed == expected
    # Dutch Excel reads a cell like "3-5", "6-10" or "1/2" as a date; no cell may look so.
    date_like = re.compile(r"^\d{1,2}[-/.]\d{1,2}([-/.]\d{2,4})?$")
    assert not [cell for row in parsed for cell in row if date_like.match(cell.strip())]
    html = render_html(report, service.view, charts)
    assert html.count('src="data:image/png;base64,') == len(charts)
    assert "<script" not in html and "http" not in html.split("<body>")[1]


async def test_gauges_by_municipality(seeded: Database) -> None:
    async with seeded.session() as session, session.begin():
        rows = await ReportRepository(session).gauges(NOW)
    assert [
        (r.municipality, r.open_cases, r.without_regie, r.overdue_agreements) for r in rows
    ] == [
        ("groningen", 20, 1, 0),
        ("oldambt", 6, 3, 0),
        ("westerkwartier", 14, 2, 2),
    ]


def _full_providers() -> tuple[SectionProvider, ...]:
    """What the bot registers, with the privacy theme's first-response norm at half a
    working day (4.5 working hours) and every other theme at the default day (9)."""
    helpdesk = HelpdeskSettings(
        service_levels={"privacy": ThemeServiceLevel(first_response_days=0.5)}
    )
    return report_providers(helpdesk, WorkCalendar())


async def test_escalation_signal_and_helpdesk_sections_exact_figures(seeded: Database) -> None:
    service, report = await _report(seeded, "2026-10", providers=_full_providers())
    assert [s.key for s in report.sections] == [
        "caseload",
        "regie",
        "agreements",
        "escalations",
        "signals",
        "helpdesk",
    ]
    t = _tables(service, report)
    # October: 11 inhoudelijk requested at the ketenmanagers (level 1), 2 samenwerking
    # requested at level 2 (bestuurder: level 1 had nobody); September 6. The 2 is small,
    # so the 11 is hidden as its complement. Acknowledged after 1,1,2,2,3,3,4,5,6,6 working
    # hours (median 3); decided after 1,1,1,2,2,2,3,3,4,5 working days (median 2), 5 of 10
    # at ketenmanager level and 5 after a move to the regional driehoek: 50%.
    assert t["escalations_route"] == [
        ["inhoudelijk / ketenmanagers", "x", "6", "3 u", "2", "50%"],
        ["samenwerking / bestuurder", "<5", "0", "–", "–", "–"],
        ["Totaal", "13", "6", "3 u", "2", "50%"],
    ]
    # Signals: overlast 7 Groningen + 2 Oldambt + 1 without municipality, huiselijk
    # geweld 5 Groningen + 6 Westerkwartier; September 4 overlast + 5 huiselijk geweld.
    # Overlast's 2 and 1 hide each other (their sum 3 is all the totals give away).
    assert t["signals_matrix"] == [
        ["huiselijk-geweld", "5", "0", "6", "0", "11", "x"],
        ["overlast", "7", "<5", "0", "<5", "10", "<5"],
        ["Totaal", "12", "<5", "6", "<5", "21", "9"],
    ]
    assert service.view.rows(report.sections[4].tables[0])[0] == [
        "categorie",
        "Groningen",
        "Oldambt",
        "Westerkwartier",
        "geen gemeente",
        "totaal",
        "vorige periode",
    ]
    # Helpdesk: privacy 10 (first response after 1,1,2,2,3,5,6,6,8,8 working hours:
    # median 4; within its 4.5-hour norm 5 of 10; answered after 1,1,2,2,3 working days =
    # 9,9,18,18,27 hours: median 18); jeugd 3 (one claimed after 1 hour, within its
    # 9-hour norm; two never answered: outside). All: 11 responses, median 3; 6 of 13
    # within the norm = 46%.
    assert t["helpdesk_theme"] == [
        ["jeugd", "<5", "0", "–", "–", "–"],
        ["privacy", "x", "6", "4 u", "18 u", "50%"],
        ["Totaal", "13", "6", "3 u", "18 u", "46%"],
    ]
    summary = service.view.summary(report).plain
    assert (
        "Opschalingen: 13 (+7 (+117%)); mediaan 3 u tot bevestiging, 2 werkdagen tot besluit; "
        "50% besloten op ketenmanagerniveau" in summary
    )
    assert "Signalen: 21 (+12 (+133%))" in summary
    # 11 signal pairs matched in October, 6 of them touching a signal a TVO decision
    # linked to a case (the match with a case's linked person is not counted); September 5,
    # none to a case.
    assert "Matches: 11 (+6 (+120%)); 55% leidde tot een casus (vorige periode: 0%)" in summary
    assert "Vragen: 13 (+7 (+117%)); mediaan 3 u tot eerste reactie, 18 u tot oplossing" in summary
    assert "46% binnen de servicenorm" in summary
    # 2 cards published in October; 1 published card past its review date (a retired
    # card with a past date and a draft do not count).
    assert "Kennisitems gepubliceerd: 2; over de herzieningsdatum: 1" in summary
    charts, _ = service.files(report)
    assert "escalations_boxes" in [c.key for c in charts]


async def test_area_sections_filtered_on_a_municipality(seeded: Database) -> None:
    service, report = await _report(seeded, "2026-10", "groningen", providers=_full_providers())
    # The helpdesk works per theme, not per municipality: left out.
    assert [s.key for s in report.sections][3:] == ["escalations", "signals"]
    t = _tables(service, report)
    assert t["escalations_route"] == [
        ["inhoudelijk / ketenmanagers", "11", "6", "3 u", "2", "50%"],
        ["Totaal", "11", "6", "3 u", "2", "50%"],
    ]
    assert t["signals_matrix"] == [
        ["huiselijk-geweld", "5", "5", "x"],
        ["overlast", "7", "7", "<5"],
        ["Totaal", "12", "12", "9"],
    ]
    # Matches of a Groningen signal: 8, 6 to a case and 2 not: the 2 hides the share.
    summary = service.view.summary(report).plain
    assert "Matches: 8 (+3 (+60%)); – leidde tot een casus (vorige periode: 0%)" in summary


async def test_area_sections_without_data_are_left_out(seeded: Database) -> None:
    service, report = await _report(seeded, "2024-Q1", providers=_full_providers())
    # No escalations, signals or questions in 2024 or late 2023; the helpdesk stays for
    # its snapshot: a published card is overdue for review now.
    assert [s.key for s in report.sections] == ["caseload", "regie", "agreements", "helpdesk"]
    summary = service.view.summary(report).plain
    assert "Vragen: 0 (+0)" in summary
    assert "Kennisitems gepubliceerd: 0; over de herzieningsdatum: 1" in summary


async def test_open_escalations_per_municipality(seeded: Database) -> None:
    async with seeded.session() as session, session.begin():
        found = await EscalationReportLoader().open_by_municipality(session)
    # Groningen: 1 October request waiting + 3 September ones acknowledged; Oldambt: 2
    # waiting. The request on a case closed since is open for nobody.
    assert dict(found) == {"groningen": 4, "oldambt": 2}
