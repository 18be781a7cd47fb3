"""Report domain: periods, suppression, medians/shares, working time, pending-area sections."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from avz_bot.domain.reports.areas import (
    CardFacts,
    EscalationFacts,
    MatchFacts,
    QuestionFacts,
    SignalFacts,
    escalations,
    helpdesk,
    signals,
)
from avz_bot.domain.reports.periods import (
    Count,
    PeriodError,
    PeriodKind,
    Unit,
    WorkingTime,
    compare,
    guarded_median,
    parse_period,
    suppress,
)
from avz_bot.domain.reports.sections import CaseCounts, CaseloadFacts, Labels, caseload, value_of
from avz_bot.domain.workdays import WorkCalendar

TODAY = date(2026, 11, 30)
CAL = WorkCalendar()


@pytest.mark.parametrize(
    ("text", "start", "end", "prev_start", "prev_end"),
    [
        ("2026", date(2026, 1, 1), date(2027, 1, 1), date(2025, 1, 1), date(2026, 1, 1)),
        ("2026-Q3", date(2026, 7, 1), date(2026, 10, 1), date(2026, 4, 1), date(2026, 7, 1)),
        ("2026-q1", date(2026, 1, 1), date(2026, 4, 1), date(2025, 10, 1), date(2026, 1, 1)),
        ("2026-11", date(2026, 11, 1), date(2026, 12, 1), date(2026, 10, 1), date(2026, 11, 1)),
        ("2026-01", date(2026, 1, 1), date(2026, 2, 1), date(2025, 12, 1), date(2026, 1, 1)),
        ("vorige maand", date(2026, 10, 1), date(2026, 11, 1), date(2026, 9, 1), date(2026, 10, 1)),
        ("Dit  kwartaal", date(2026, 10, 1), date(2027, 1, 1), date(2026, 7, 1), date(2026, 10, 1)),
        ("vorig jaar", date(2025, 1, 1), date(2026, 1, 1), date(2024, 1, 1), date(2025, 1, 1)),
        (
            "van=2026-03-01 tot=2026-03-10",
            date(2026, 3, 1),
            date(2026, 3, 11),
            date(2026, 2, 19),
            date(2026, 3, 1),
        ),
        (
            "van=1-2-2026 t/m=28-2-2026",
            date(2026, 2, 1),
            date(2026, 3, 1),
            date(2026, 1, 4),
            date(2026, 2, 1),
        ),
    ],
)
def test_periods_and_their_previous_period(
    text: str, start: date, end: date, prev_start: date, prev_end: date
) -> None:
    period = parse_period(text, TODAY)
    assert not isinstance(period, PeriodError)
    assert (period.start, period.end) == (start, end)
    previous = period.previous()
    assert (previous.start, previous.end) == (prev_start, prev_end)
    if period.kind is PeriodKind.RANGE:
        assert previous.days == period.days


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("gisteren", PeriodError.UNKNOWN),
        ("2026-13", PeriodError.BAD_DATE),
        ("van=2026-02-30 tot=2026-03-01", PeriodError.BAD_DATE),
        ("van=2026-03-01 tot=2026-02-01", PeriodError.EMPTY_RANGE),
        ("van=2000-01-01 tot=2026-01-01", PeriodError.TOO_LONG),
        ("2027", PeriodError.FUTURE),
    ],
)
def test_bad_periods_are_explained(text: str, error: PeriodError) -> None:
    assert parse_period(text, TODAY) == error


def test_period_bounds_are_amsterdam_midnight_in_utc() -> None:
    period = parse_period("2026-07", TODAY)
    assert not isinstance(period, PeriodError)
    start, end = period.utc_bounds(CAL)
    assert start == datetime(2026, 6, 30, 22, 0, tzinfo=UTC)  # CEST
    assert end == datetime(2026, 7, 31, 22, 0, tzinfo=UTC)
    winter = parse_period("2026-01", TODAY)
    assert not isinstance(winter, PeriodError)
    assert winter.utc_bounds(CAL)[0] == datetime(2025, 12, 31, 23, 0, tzinfo=UTC)  # CET


def _hidden(cells: tuple[Count, ...]) -> list[bool]:
    return [c.hidden for c in cells]


def test_suppression_hides_small_cells_and_a_complement_in_every_line() -> None:
    # rows: 3 municipalities; columns: 3 types.
    table = suppress([[10, 3, 8], [7, 9, 6], [12, 11, 2]], 5)
    # Primary: 3 and 2. Row 0 then hides its smallest visible (8); row 2 hides 11;
    # column 1 (3 hidden, 11 hidden) is fine; column 2 (8, 2 hidden) is fine.
    assert _hidden(table.cells[0]) == [False, True, True]
    assert _hidden(table.cells[1]) == [False, False, False]
    assert _hidden(table.cells[2]) == [False, True, True]
    assert not any(c.hidden for c in table.row_totals)
    assert not table.total.hidden
    # No line has exactly one hidden entry, so nothing is recoverable by subtraction.
    for r in range(3):
        line = [*table.cells[r], table.row_totals[r]]
        assert sum(c.hidden for c in line) != 1
    for c in range(3):
        line = [*(table.cells[r][c] for r in range(3)), table.column_totals[c]]
        assert sum(x.hidden for x in line) != 1


def test_suppression_of_a_small_total_spreads_to_its_line() -> None:
    table = suppress([[1, 2], [6, 7]], 5)
    assert _hidden(table.cells[0]) == [True, True]
    assert table.row_totals[0].hidden  # 3 < 5
    # The totals column (3 hidden) needs a second hidden entry: 13; then row 1 needs
    # one more (6), and column 1 (2 hidden) its 7: nothing can be subtracted any more.
    assert table.row_totals[1].hidden
    assert table.cells[1] == (Count(6, True), Count(7, True))
    assert table.column_totals == (Count(7), Count(9))
    assert table.total == Count(16)
    # Zero identifies nobody and stays visible.
    assert suppress([[0, 9]], 5).cells[0][0] == Count(0)


def test_threshold_is_configurable() -> None:
    assert suppress([[3, 9]], 3).cells[0] == (Count(3), Count(9))
    assert suppress([[3, 9]], 10).cells[0][0].hidden


def test_changes_only_between_visible_counts_and_medians_need_enough_items() -> None:
    assert compare(Count(12), Count(8)).absolute == 4
    assert compare(Count(12), Count(8)).percent == 50.0
    assert compare(Count(12), Count(3, True)).absolute is None
    assert compare(Count(6), Count(0)).percent is None
    assert guarded_median([1, 2, 3, 4], 5, Unit.DAYS).value is None
    assert guarded_median([1, 2, 3, 4, 10], 5, Unit.DAYS).value == 3.0
    assert guarded_median([1, 2, 3, 4, 10, 20], 5, Unit.DAYS).value == 3.5


def test_working_time_matches_the_calendar_and_counts_office_hours() -> None:
    work = WorkingTime(CAL, date(2026, 1, 1), date(2026, 12, 31))
    for a, b in [
        (date(2026, 4, 1), date(2026, 4, 8)),  # Easter Monday 6 April
        (date(2026, 12, 20), date(2026, 12, 31)),  # Christmas
        (date(2026, 3, 5), date(2026, 3, 2)),
    ]:
        assert work.days_between(a, b) == CAL.working_days_between(a, b)
    friday_16 = datetime(2026, 3, 6, 15, 0, tzinfo=UTC)  # 16:00 CET
    monday_10 = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)  # 10:00 CET
    # 16:00-17:30 Friday (1.5 h) + 08:30-10:00 Monday (1.5 h).
    assert work.hours(friday_16, monday_10) == 3.0
    # Whole days between count 9 office hours each.
    assert work.hours(friday_16, datetime(2026, 3, 10, 9, 0, tzinfo=UTC)) == 12.0
    assert work.hours(monday_10, friday_16) == 0.0


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=UTC)  # March 2026: CET = UTC+1


def test_escalation_section_exact_figures() -> None:
    work = WorkingTime(CAL, date(2026, 1, 1), date(2026, 12, 31))
    current = [
        # Monday 2 March 09:00 local, acknowledged after 1..6 working hours.
        EscalationFacts(
            "inhoudelijk",
            "ketenmanagers",
            "groningen",
            _at(2, 8),
            _at(2, 8 + h),
            _at(2 + d, 12) if d is not None else None,
            lvl,
        )
        for h, d, lvl in [
            (1, 1, "ketenmanagers"),
            (2, 2, "ketenmanagers"),
            (3, 3, "driehoek"),
            (4, 1, "ketenmanagers"),
            (6, None, None),
        ]
    ] + [EscalationFacts("samenwerking", "bestuurder", "oldambt", _at(3, 8), None, None, None)]
    previous = [
        EscalationFacts("inhoudelijk", "ketenmanagers", "oldambt", _at(2, 8), None, None, None)
    ] * 7
    section = escalations(current, previous, work, 5)
    table = section.tables[0]
    inh = table.rows[0]
    assert inh[0] == "inhoudelijk / ketenmanagers"
    # 5 and 1 requests: the 1 is hidden, so the 5 too (the total 6 is shown).
    assert inh[1] == Count(5, True)
    assert value_of(inh[2]) == 7.0
    assert value_of(inh[3]) == 3.0  # median of 1, 2, 3, 4, 6 working hours
    assert value_of(inh[4]) is None  # only 4 decisions: suppressed
    assert value_of(inh[5]) is None  # share over 4 decided: hidden count
    sam = table.rows[1]
    assert sam[1] == Count(1, True) and sam[2] == Count(0)
    total = table.rows[2]
    assert total[1] == Count(6)
    assert value_of(total[3]) == 3.0


def test_signal_section_exact_figures() -> None:
    current = [SignalFacts("overlast", "groningen")] * 8 + [SignalFacts("overlast", "oldambt")] * 2
    current += [SignalFacts("zorg", "groningen")] * 6
    previous = [SignalFacts("overlast", "groningen")] * 4
    matches = [MatchFacts(True)] * 6 + [MatchFacts(False)] * 4
    section = signals(
        current, previous, matches, [], {"groningen": "Groningen", "oldambt": "Oldambt"}, 5
    )
    rows = section.tables[0].rows
    # The 2 is hidden, so its row hides the 8 as well; the Oldambt column (2, 0) then
    # hides its total 2, and the totals row hides the next smallest (Groningen's 14).
    assert rows[0][:5] == ("overlast", Count(8, True), Count(2, True), Count(10), Count(4, True))
    assert rows[1][:4] == ("zorg", Count(6), Count(0), Count(6))
    assert rows[2][:4] == ("@total", Count(14, True), Count(2, True), Count(16))
    line = section.lines[1]
    assert line.values["count"] == Count(10)
    assert value_of(line.values["share"]) is None  # 4 without a case: hidden
    matches = [MatchFacts(True)] * 6 + [MatchFacts(False)] * 5
    line = signals(current, previous, matches, [], {"groningen": "G"}, 5).lines[1]
    assert value_of(line.values["share"]) == pytest.approx(6 / 11)


def test_helpdesk_section_exact_figures() -> None:
    work = WorkingTime(CAL, date(2026, 1, 1), date(2026, 12, 31))
    questions = [
        QuestionFacts("wonen", _at(2, 8), _at(2, 8 + h), _at(3, 8 + h)) for h in (1, 2, 3, 5, 8)
    ] + [QuestionFacts("wonen", _at(2, 8), None, None)]
    cards = [
        CardFacts(_at(4, 9), _at(10, 9)),
        CardFacts(_at(4, 9), datetime(2027, 1, 1, tzinfo=UTC)),
        CardFacts(None, None),
    ]
    section = helpdesk(
        questions, [], cards, (_at(1, 0), _at(31, 0)), _at(20, 12), lambda theme: 4.0, work, 5
    )
    row = section.tables[0].rows[0]
    assert row[1] == Count(6)
    assert value_of(row[3]) == 3.0  # median of 1, 2, 3, 5, 8 hours to first response
    assert value_of(row[4]) == 12.0  # a day (9 office hours) later + h: 10, 11, 12, 14, 17
    # Within 4 working hours: 1, 2, 3 → 3 of 6 (the unanswered one is outside): hidden.
    assert value_of(row[5]) is None
    cards_line = section.lines[1]
    assert cards_line.values == {"published": Count(2), "overdue": Count(1)}


@given(
    st.integers(min_value=1, max_value=5).flatmap(
        lambda cols: st.lists(
            st.lists(st.integers(min_value=0, max_value=12), min_size=cols, max_size=cols),
            min_size=1,
            max_size=6,
        )
    ),
    st.integers(min_value=2, max_value=8),
)
def test_suppression_never_leaves_a_line_with_one_hidden_entry(
    matrix: list[list[int]], threshold: int
) -> None:
    table = suppress(matrix, threshold)
    rows, cols = len(matrix), len(matrix[0])
    grid = [[*table.cells[r], table.row_totals[r]] for r in range(rows)]
    grid.append([*table.column_totals, table.total])
    for line in [*grid, *([grid[r][c] for r in range(rows + 1)] for c in range(cols + 1))]:
        assert sum(x.hidden for x in line) != 1
        # Every small non-zero count is hidden; values are never changed.
        assert all(x.hidden for x in line if 0 < x.value < threshold)
    assert [[c.value for c in row] for row in table.cells] == matrix


def test_caseload_keeps_rows_that_only_have_figures_in_the_previous_period() -> None:
    labels = Labels({"groningen": "Groningen", "pekela": "Pekela"}, {"jeugd": "Jeugd"})
    facts = CaseloadFacts(
        current={("groningen", "jeugd"): CaseCounts(9, 9, 0), ("pekela", "jeugd"): CaseCounts()},
        previous={("pekela", "jeugd"): CaseCounts(6, 6, 0)},
        months=[date(2026, 10, 1)],
        monthly={"jeugd": [9]},
    )
    section = caseload(facts, labels, 5)
    rows = {row[0]: row for row in section.tables[1].rows}
    assert rows["Pekela"][1:3] == (Count(0), Count(6))
    assert rows["@total"][1:3] == (Count(9), Count(6))


def test_signals_without_a_known_municipality_have_their_own_column() -> None:
    current = [SignalFacts("overlast", "groningen", 6), SignalFacts("overlast", "", 7)]
    current += [SignalFacts("overlast", "vervallen-gemeente", 1)]
    section = signals(current, [], [], [], {"groningen": "Groningen", "oldambt": "O"}, 5)
    table = section.tables[0]
    assert table.columns == (
        "category",
        "municipality:groningen",
        "no_municipality",
        "total",
        "prev",
    )
    # Nothing is lost from the totals: 6 + 7 + 1 (the unknown code counts as none).
    assert table.rows[0][:4] == ("overlast", Count(6), Count(8), Count(14))
