"""Trend reports: periods, medians and shares, small-number suppression, working time.

Pure: no I/O, no clock (``today`` is passed in). The sections themselves are computed in
``avz_bot.domain.reports.sections`` from plain facts.

Periods are calendar ranges in Europe/Amsterdam: ``start`` inclusive, ``end`` exclusive
(both dates); the instants are local midnights converted to UTC. Every period has a
*previous period of the same length*: the previous month, quarter or year for those
kinds, and for a free range (``van=… tot=…``) the same number of days just before it.

Small-number suppression (the report leaves the coordination room and must not identify
people): a count ``1 <= n < threshold`` is shown as ``<threshold`` (default ``<5``). Zero
is shown: it identifies nobody (as in CBS practice). Because a table shows totals, one
hidden cell in a row or column could be recovered by subtracting; so after the primary
suppression every *line* (a row with its row total, a column with its column total, the
totals row and column with the grand total) that has exactly one hidden entry gets a
second one hidden (the smallest visible non-zero entry), repeated until no line has
exactly one.
This is the classic secondary ("complementary") suppression of statistical offices
(see e.g. Hundepool et al., *Statistical Disclosure Control*, 2012, ch. 4); it defeats
subtraction within a table, not every linear combination across many tables.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from avz_bot.domain.workdays import WorkCalendar

#: Default suppression threshold: counts below it are shown as ``<5``.
DEFAULT_THRESHOLD = 5


# --------------------------------------------------------------------------- periods
class PeriodKind(StrEnum):
    """What kind of period a report covers (decides what "the previous period" is)."""

    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    RANGE = "range"


@dataclass(frozen=True, slots=True)
class Period:
    """A report period: local dates ``start`` (inclusive) to ``end`` (exclusive)."""

    kind: PeriodKind
    start: date
    end: date

    @property
    def label(self) -> str:
        """A stable, language-neutral label: ``2026-11``, ``2026-Q3``, ``2026`` or a range."""
        if self.kind is PeriodKind.MONTH:
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind is PeriodKind.YEAR:
            return str(self.start.year)
        return f"{self.start.isoformat()}..{(self.end - timedelta(days=1)).isoformat()}"

    @property
    def days(self) -> int:
        """Length in calendar days."""
        return (self.end - self.start).days

    def previous(self) -> Period:
        """The previous period of the same length (see the module docstring)."""
        if self.kind is PeriodKind.MONTH:
            return month_period(*_shift_month(self.start.year, self.start.month, -1))
        if self.kind is PeriodKind.QUARTER:
            year, month = _shift_month(self.start.year, self.start.month, -3)
            return Period(PeriodKind.QUARTER, date(year, month, 1), self.start)
        if self.kind is PeriodKind.YEAR:
            return year_period(self.start.year - 1)
        return Period(PeriodKind.RANGE, self.start - timedelta(days=self.days), self.start)

    def utc_bounds(self, calendar: WorkCalendar) -> tuple[datetime, datetime]:
        """``(start, end)`` as aware UTC instants of local midnight."""
        return calendar.at(self.start, time(0)), calendar.at(self.end, time(0))

    def months(self) -> list[date]:
        """The first day of every calendar month that overlaps the period, in order."""
        found: list[date] = []
        year, month = self.start.year, self.start.month
        while date(year, month, 1) < self.end:
            found.append(date(year, month, 1))
            year, month = _shift_month(year, month, 1)
        return found


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def month_period(year: int, month: int) -> Period:
    """The calendar month ``year-month``."""
    next_year, next_month = _shift_month(year, month, 1)
    return Period(PeriodKind.MONTH, date(year, month, 1), date(next_year, next_month, 1))


def quarter_period(year: int, quarter: int) -> Period:
    """Quarter 1–4 of ``year``."""
    start = date(year, 3 * (quarter - 1) + 1, 1)
    next_year, next_month = _shift_month(year, start.month, 3)
    return Period(PeriodKind.QUARTER, start, date(next_year, next_month, 1))


def year_period(year: int) -> Period:
    """The calendar year."""
    return Period(PeriodKind.YEAR, date(year, 1, 1), date(year + 1, 1, 1))


class PeriodError(StrEnum):
    """Why a period could not be read (each has a Dutch catalogue text ``report.period.*``)."""

    UNKNOWN = "unknown"
    BAD_DATE = "bad_date"
    EMPTY_RANGE = "empty_range"
    TOO_LONG = "too_long"
    FUTURE = "future"


#: A free range may cover at most this many days (ten years: the trend line stays legible).
MAX_RANGE_DAYS = 3660

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-?q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_RANGE = re.compile(r"^van\s*=\s*(\S+)\s+(?:tot|t/m)\s*=\s*(\S+)$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DUTCH = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")


def _parse_day(text: str) -> date | None:
    found = _ISO.match(text)
    if found:
        y, m, d = (int(g) for g in found.groups())
    elif found := _DUTCH.match(text):
        d, m, y = (int(g) for g in found.groups())
    else:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def parse_period(text: str, today: date) -> Period | PeriodError:
    """Read a period as users type it.

    Forms: ``2026``, ``2026-Q3`` (or ``2026Q3``), ``2026-11``, ``deze maand``,
    ``vorige maand``, ``dit kwartaal``, ``vorig kwartaal``, ``dit jaar``, ``vorig jaar``,
    and ``van=<dag> tot=<dag>`` with days as ``2026-01-31`` or ``31-1-2026``; ``tot`` is
    the last day included (``t/m`` is accepted as well). ``today`` is the local date.
    Returns a ``PeriodError`` for anything else, a malformed date, a range that ends
    before it starts or lasts more than ``MAX_RANGE_DAYS``, or a period that starts after
    ``today``.
    """
    words = " ".join(text.lower().split())
    period: Period | None = None
    this_quarter = quarter_period(today.year, (today.month - 1) // 3 + 1)
    relative = {
        "deze maand": month_period(today.year, today.month),
        "vorige maand": month_period(today.year, today.month).previous(),
        "dit kwartaal": this_quarter,
        "vorig kwartaal": this_quarter.previous(),
        "dit jaar": year_period(today.year),
        "vorig jaar": year_period(today.year - 1),
    }
    if words in relative:
        period = relative[words]
    elif found := _YEAR.match(words):
        period = year_period(int(found.group(1)))
    elif found := _QUARTER.match(words):
        period = quarter_period(int(found.group(1)), int(found.group(2)))
    elif found := _MONTH.match(words):
        month = int(found.group(2))
        if not 1 <= month <= 12:
            return PeriodError.BAD_DATE
        period = month_period(int(found.group(1)), month)
    elif found := _RANGE.match(words):
        first, last = _parse_day(found.group(1)), _parse_day(found.group(2))
        if first is None or last is None:
            return PeriodError.BAD_DATE
        if last < first:
            return PeriodError.EMPTY_RANGE
        period = Period(PeriodKind.RANGE, first, last + timedelta(days=1))
        if period.days > MAX_RANGE_DAYS:
            return PeriodError.TOO_LONG
    if period is None:
        return PeriodError.UNKNOWN
    if period.start > today:
        return PeriodError.FUTURE
    return period


# --------------------------------------------------------------------------- statistics
def median(values: Sequence[float]) -> float | None:
    """The median (middle value; mean of the two middle ones), ``None`` when empty."""
    return float(statistics.median(values)) if values else None


def share(part: int, whole: int) -> float | None:
    """``part / whole`` as a fraction 0..1, ``None`` when ``whole`` is 0."""
    return part / whole if whole else None


def change_percent(current: int, previous: int) -> float | None:
    """Relative change in percent, ``None`` when the previous value is 0."""
    return (current - previous) * 100.0 / previous if previous else None


@dataclass(frozen=True, slots=True)
class Count:
    """A count in a report table; ``hidden`` means it is shown as ``<threshold``."""

    value: int
    hidden: bool = False


class Unit(StrEnum):
    """How a statistic is shown."""

    SHARE = "share"  # a fraction 0..1, shown as a percentage
    DAYS = "days"  # working days
    HOURS = "hours"  # working hours


@dataclass(frozen=True, slots=True)
class Value:
    """A median or share over ``n`` items in ``unit``; ``value`` is ``None`` when it is
    suppressed (a median of fewer than ``threshold`` items could describe one person)
    or undefined (nothing to divide by)."""

    value: float | None
    n: int
    unit: Unit


@dataclass(frozen=True, slots=True)
class Change:
    """Change against the previous period; ``None`` parts are not shown (a hidden count on
    either side, or a previous value of 0 for the percentage)."""

    absolute: int | None
    percent: float | None


def guarded_median(values: Sequence[float], threshold: int, unit: Unit) -> Value:
    """The median of ``values``, suppressed (``value=None``) below ``threshold`` items."""
    if len(values) < threshold:
        return Value(None, len(values), unit)
    return Value(median(values), len(values), unit)


def guarded_share(part: Count, whole: Count) -> Value:
    """``part / whole``, suppressed when either count is hidden."""
    if part.hidden or whole.hidden:
        return Value(None, whole.value, Unit.SHARE)
    return Value(share(part.value, whole.value), whole.value, Unit.SHARE)


def compare(current: Count, previous: Count) -> Change:
    """The change from ``previous`` to ``current``, only from visible counts."""
    if current.hidden or previous.hidden:
        return Change(None, None)
    return Change(current.value - previous.value, change_percent(current.value, previous.value))


# --------------------------------------------------------------------------- suppression
@dataclass(frozen=True, slots=True)
class SuppressedTable:
    """A count table with its margins after suppression.

    ``cells[r][c]``, ``row_totals[r]``, ``column_totals[c]`` and ``total``.
    """

    cells: tuple[tuple[Count, ...], ...]
    row_totals: tuple[Count, ...]
    column_totals: tuple[Count, ...]
    total: Count


def suppress(
    matrix: Sequence[Sequence[int]], threshold: int, columns: int | None = None
) -> SuppressedTable:
    """Primary and complementary suppression of a count table with its margins.

    ``matrix`` is rows × columns of non-negative counts (every row the same length;
    ``columns`` gives the width when there are no rows); the margins are computed here.
    See the module docstring for the rule.
    """
    rows = len(matrix)
    cols = len(matrix[0]) if rows else (columns or 0)
    # Positions: (r, c) cells; (r, cols) row totals; (rows, c) column totals; (rows, cols).
    values: dict[tuple[int, int], int] = {}
    for r in range(rows):
        for c in range(cols):
            values[(r, c)] = matrix[r][c]
        values[(r, cols)] = sum(matrix[r])
    for c in range(cols):
        values[(rows, c)] = sum(matrix[r][c] for r in range(rows))
    values[(rows, cols)] = sum(values[(r, cols)] for r in range(rows))
    hidden = {pos for pos, v in values.items() if 0 < v < threshold}
    lines = [[(r, c) for c in range(cols + 1)] for r in range(rows + 1)]
    lines += [[(r, c) for r in range(rows + 1)] for c in range(cols + 1)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden_here = [pos for pos in line if pos in hidden]
            if len(hidden_here) != 1:
                continue
            visible = [pos for pos in line if pos not in hidden]
            if not visible:
                continue
            # The smallest visible non-zero entry loses least information (a hidden zero
            # protects little); cells before totals; then the first in the table.
            pick = min(
                visible,
                key=lambda p: (values[p] == 0, values[p], p[0] == rows or p[1] == cols, p),
            )
            hidden.add(pick)
            changed = True

    def count(pos: tuple[int, int]) -> Count:
        return Count(values[pos], pos in hidden)

    return SuppressedTable(
        cells=tuple(tuple(count((r, c)) for c in range(cols)) for r in range(rows)),
        row_totals=tuple(count((r, cols)) for r in range(rows)),
        column_totals=tuple(count((rows, c)) for c in range(cols)),
        total=count((rows, cols)),
    )


def suppress_vector(values: Sequence[int], threshold: int) -> tuple[tuple[Count, ...], Count]:
    """Suppression of a list of counts and their total (a one-column table)."""
    table = suppress([[v] for v in values], threshold)
    return table.row_totals, table.total


# --------------------------------------------------------------------------- working time
class WorkingTime:
    """Fast working-day and working-hour arithmetic over a fixed date window.

    ``WorkCalendar.working_days_between`` walks day by day; a report measures thousands
    of intervals, so this precomputes, once per report, a running count of working days
    from ``first`` to ``last`` (one ``is_working_day`` call per day) and answers every
    interval in O(1). Outside the window it falls back to the calendar.

    Working days between two instants: ``calendar.working_days_between`` of their local
    dates (the days ``d`` with ``start < d <= end``). Working hours: the office hours
    (``office_start``–``office_end``, local) on working days that lie between the two
    instants, in hours (float).
    """

    def __init__(self, calendar: WorkCalendar, first: date, last: date) -> None:
        self.calendar = calendar
        self._first = first
        self._last = last
        running = 0
        self._cumulative: list[int] = []
        day = first
        while day <= last:
            if calendar.is_working_day(day):
                running += 1
            self._cumulative.append(running)
            day += timedelta(days=1)
        start = datetime.combine(first, calendar.office_start)
        end = datetime.combine(first, calendar.office_end)
        self._office_hours = (end - start).total_seconds() / 3600.0

    def _upto(self, day: date) -> int:
        """Working days ``d`` with ``first <= d <= day``."""
        return self._cumulative[(day - self._first).days]

    def days_between(self, start_date: date, end_date: date) -> int:
        """Same as ``WorkCalendar.working_days_between`` (negative when reversed)."""
        if not (self._first <= start_date <= self._last and self._first <= end_date <= self._last):
            return self.calendar.working_days_between(start_date, end_date)
        return self._upto(end_date) - self._upto(start_date)

    def days(self, start: datetime, end: datetime) -> int:
        """Working days from instant ``start`` to instant ``end`` (local dates)."""
        cal = self.calendar
        return self.days_between(cal.local_date(start), cal.local_date(end))

    def _office_seconds_on(self, day: date, start: datetime, end: datetime) -> float:
        if not self.calendar.is_working_day(day):
            return 0.0
        opens = self.calendar.at(day, self.calendar.office_start)
        closes = self.calendar.at(day, self.calendar.office_end)
        lo, hi = max(start, opens), min(end, closes)
        return max(0.0, (hi - lo).total_seconds())

    def hours(self, start: datetime, end: datetime) -> float:
        """Office hours on working days between the instants (0 when ``end <= start``)."""
        if end <= start:
            return 0.0
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        first, last = self.calendar.local_date(start), self.calendar.local_date(end)
        if first == last:
            return self._office_seconds_on(first, start, end) / 3600.0
        seconds = self._office_seconds_on(first, start, end)
        seconds += self._office_seconds_on(last, start, end)
        whole_days = max(
            0, self.days_between(first, last) - (1 if self.calendar.is_working_day(last) else 0)
        )
        return seconds / 3600.0 + whole_days * self._office_hours
