"""Report sections over cases: caseload and procesregie (agreements: ``report_agreements``).

Pure functions from plain facts (loaded by ``avz_bot.services.reports.service``) to a
``Section``. Every count goes through small-number suppression, every median and share
is suppressed below the threshold, every comparison is with the previous period of the
same length. Working days are counted with ``WorkingTime`` (Dutch working days).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from avz_bot.domain.reports.figures import Bars, Boxes, Cell, Line, Section, Table, Trend
from avz_bot.domain.reports.periods import (
    Count,
    SuppressedTable,
    Unit,
    Value,
    WorkingTime,
    compare,
    guarded_median,
    guarded_share,
    suppress,
    suppress_vector,
)

#: The municipality that is "the city" in the city/other-municipalities split.
CITY = "groningen"


@dataclass(frozen=True, slots=True)
class Labels:
    """Codes and display names, in report order (municipalities, case types)."""

    municipalities: Mapping[str, str]
    case_types: Mapping[str, str]


# --------------------------------------------------------------------------- caseload
@dataclass(frozen=True, slots=True)
class CaseCounts:
    """Cases of one municipality × case type in one period: opened in it, active during
    it (opened before its end and not closed before its start) and closed in it."""

    opened: int = 0
    active: int = 0
    closed: int = 0


@dataclass(frozen=True, slots=True)
class CaseloadFacts:
    """Input of the caseload section.

    ``current``/``previous``: (municipality code, case type code) → counts; pairs not
    present count 0. ``monthly``: case type code → cases opened per month of ``months``.
    """

    current: Mapping[tuple[str, str], CaseCounts]
    previous: Mapping[tuple[str, str], CaseCounts]
    months: Sequence[date]
    monthly: Mapping[str, Sequence[int]]


MEASURES = ("opened", "active", "closed")
#: Per measure: this period, the previous one, the change.
COMPARE_COLUMNS = tuple(f"{m}_{x}" for m in MEASURES for x in ("now", "prev", "diff"))


def _matrix(
    counts: Mapping[tuple[str, str], CaseCounts], rows: Sequence[str], cols: Sequence[str], m: str
) -> list[list[int]]:
    empty = CaseCounts()
    return [[getattr(counts.get((r, c), empty), m) for c in cols] for r in rows]


def _used(keys: Sequence[str], present: set[str]) -> list[str]:
    return [k for k in keys if k in present]


#: Suppressed municipality × case type tables: (period, measure) → table, for periods
#: ``current`` and ``previous`` and each of ``MEASURES``.
CaseTables = dict[tuple[str, str], SuppressedTable]


def _caseload_axes(facts: CaseloadFacts, labels: Labels) -> tuple[list[str], list[str]]:
    """The municipality codes and case type codes that occur (non-zero) in either
    period, in configured order."""
    keys = {
        k
        for counts in (facts.current, facts.previous)
        for k, v in counts.items()
        if v != CaseCounts()
    }
    munis = _used(list(labels.municipalities), {m for m, _ in keys})
    types = _used(list(labels.case_types), {t for _, t in keys})
    return munis, types


def _case_tables(
    facts: CaseloadFacts, munis: Sequence[str], types: Sequence[str], threshold: int
) -> CaseTables:
    """Each period's municipality × type table of each measure, suppressed."""
    tables: CaseTables = {}
    for period, counts in (("current", facts.current), ("previous", facts.previous)):
        for m in MEASURES:
            tables[(period, m)] = suppress(_matrix(counts, munis, types, m), threshold)
    return tables


def _opened_matrix(
    opened: SuppressedTable, muni_names: Sequence[str], types: Sequence[str]
) -> Table:
    """Opened cases: rows (municipality, one cell per type, total), then ``@total``."""
    matrix_rows: list[tuple[Cell, ...]] = [
        (name, *opened.cells[i], opened.row_totals[i]) for i, name in enumerate(muni_names)
    ]
    matrix_rows.append(("@total", *opened.column_totals, opened.total))
    return Table(
        "caseload_matrix",
        ("municipality", *(f"type:{t}" for t in types), "total"),
        tuple(matrix_rows),
    )


def _comparison(key: str, names: list[str], margin: str, tables: CaseTables) -> Table:
    """Rows (label, then now/previous/change per measure) per name, then ``@total``;
    ``margin``: the tables' ``row_totals`` (per municipality) or ``column_totals``
    (per type)."""
    rows: list[tuple[Cell, ...]] = []
    for i, name in enumerate([*names, "@total"]):
        row: list[Cell] = [name]
        for m in MEASURES:
            cur, prev = tables[("current", m)], tables[("previous", m)]
            pick_cur = getattr(cur, margin)
            pick_prev = getattr(prev, margin)
            c = pick_cur[i] if i < len(names) else cur.total
            p = pick_prev[i] if i < len(names) else prev.total
            row += [c, p, compare(c, p)]
        rows.append(tuple(row))
    columns = ("label", *COMPARE_COLUMNS)
    return Table(key, columns, tuple(rows))


def _city_split(
    tables: CaseTables, munis: Sequence[str], threshold: int
) -> dict[str, tuple[Count, ...]]:
    """Period + measure (e.g. ``currentopened``) → (the city's count, the other
    municipalities' count), suppressed so that neither gives the other away."""
    split: dict[str, tuple[Count, ...]] = {}
    for period in ("current", "previous"):
        for m in MEASURES:
            t = tables[(period, m)]
            city = sum(t.row_totals[i].value for i, code in enumerate(munis) if code == CITY)
            other = t.total.value - city
            pair, _ = suppress_vector([city, other], threshold)
            city_hidden = pair[0].hidden or any(
                t.row_totals[i].hidden for i, code in enumerate(munis) if code == CITY
            )
            # The city is one row of the matrix: hidden there means hidden here, and then
            # its complement (the other municipalities) too, or subtraction gives it away.
            split[(period + m)] = (
                Count(city, city_hidden),
                Count(other, pair[1].hidden or (city_hidden and not t.total.hidden)),
            )
    return split


def _city_table(split: Mapping[str, tuple[Count, ...]]) -> Table:
    """Rows ``@city`` and ``@other``: now/previous/change per measure."""
    city_rows: list[tuple[Cell, ...]] = []
    for i, key in enumerate(("@city", "@other")):
        row: list[Cell] = [key]
        for m in MEASURES:
            c, p = split["current" + m][i], split["previous" + m][i]
            row += [c, p, compare(c, p)]
        city_rows.append(tuple(row))
    return Table(
        "caseload_city",
        ("area", *COMPARE_COLUMNS),
        tuple(city_rows),
    )


def _caseload_charts(
    facts: CaseloadFacts,
    labels: Labels,
    tables: CaseTables,
    muni_names: Sequence[str],
    threshold: int,
) -> tuple[Bars, Trend]:
    """Opened cases per municipality (now and previous) as bars; cases opened per
    month per case type (types with any) as a suppressed trend."""
    trend_types = [t for t in labels.case_types if any(facts.monthly.get(t, ()))]
    trend = suppress([list(facts.monthly[t]) for t in trend_types], threshold)
    return (
        Bars(
            "caseload_bars",
            tuple(muni_names),
            tables[("current", "opened")].row_totals,
            tables[("previous", "opened")].row_totals,
        ),
        Trend(
            "caseload_trend",
            tuple(facts.months),
            tuple((labels.case_types[t], trend.cells[i]) for i, t in enumerate(trend_types)),
        ),
    )


def _caseload_lines(tables: CaseTables, split: Mapping[str, tuple[Count, ...]]) -> list[Line]:
    """The totals per measure with their changes, and the city/other split of opened
    cases with its changes."""
    cur = {m: tables[("current", m)].total for m in MEASURES}
    prev = {m: tables[("previous", m)].total for m in MEASURES}
    return [
        Line(
            "caseload_totals",
            {f"{m}": cur[m] for m in MEASURES}
            | {f"{m}_diff": compare(cur[m], prev[m]) for m in MEASURES},
        ),
        Line(
            "caseload_city",
            {
                "city": split["currentopened"][0],
                "city_diff": compare(split["currentopened"][0], split["previousopened"][0]),
                "other": split["currentopened"][1],
                "other_diff": compare(split["currentopened"][1], split["previousopened"][1]),
            },
        ),
    ]


def caseload(facts: CaseloadFacts, labels: Labels, threshold: int) -> Section:
    """Cases opened, active and closed per municipality × case type, with changes.

    Rows and columns are the municipalities and case types that occur in either period
    (in configured order). Tables: the municipality × type matrix of opened cases, per
    municipality and per type (current, previous, change for each measure), and the
    split Groningen (city) / other municipalities.
    """
    munis, types = _caseload_axes(facts, labels)
    muni_names = [labels.municipalities[m] for m in munis]
    type_names = [labels.case_types[t] for t in types]
    tables = _case_tables(facts, munis, types, threshold)
    split = _city_split(tables, munis, threshold)
    charts = _caseload_charts(facts, labels, tables, muni_names, threshold)
    lines = _caseload_lines(tables, split)
    tables_out = [
        _opened_matrix(tables[("current", "opened")], muni_names, types),
        _comparison("caseload_municipality", muni_names, "row_totals", tables),
        _comparison("caseload_type", type_names, "column_totals", tables),
        _city_table(split),
    ]
    if len(labels.municipalities) == 1:
        # A report about one municipality has no city/other split to show.
        lines.pop()
        tables_out.pop()
    return Section("caseload", tuple(lines), tuple(tables_out), charts)


# --------------------------------------------------------------------------- procesregie
@dataclass(frozen=True, slots=True)
class OpenedCase:
    """A case opened in the period and when it first had a regiehouder (if yet)."""

    case_type: str
    municipality: str
    opened_at: datetime
    first_regie_at: datetime | None


@dataclass(frozen=True, slots=True)
class VacantCase:
    """An open case that has no regiehouder now, and since when (UTC)."""

    municipality: str
    vacant_since: datetime


@dataclass(frozen=True, slots=True)
class RegieFacts:
    """Input of the procesregie section.

    ``opened_*``: cases opened in the period. ``changes_*``: per case that had a
    regiehouder during the period, how often regie changed hands in it (a new holder
    after the first: transfer, assignment, or taking it after it was released).
    ``vacant``: the open cases without regie now (a snapshot at ``now``).
    """

    opened_current: Sequence[OpenedCase]
    opened_previous: Sequence[OpenedCase]
    changes_current: Sequence[int]
    changes_previous: Sequence[int]
    vacant: Sequence[VacantCase]
    now: datetime


#: Buckets of working days without regie: label → (lowest, highest) inclusive. The labels
#: are catalogue keys (``report.label.days_3_5`` reads "3 t/m 5"): a label "3-5" or "6-10"
#: in a CSV becomes a date (3 May, 6 October) when Dutch Excel opens it.
VACANCY_BUCKETS = (
    ("@days_0_2", 0, 2),
    ("@days_3_5", 3, 5),
    ("@days_6_10", 6, 10),
    ("@days_11_up", 11, 10**9),
)
#: Buckets of regie changes per case.
CHANGE_BUCKETS = (("0", 0, 0), ("1", 1, 1), ("2", 2, 2), ("@changes_3_up", 3, 10**9))


def _bucketed(values: Sequence[int], buckets: Sequence[tuple[str, int, int]]) -> list[int]:
    return [sum(1 for v in values if lo <= v <= hi) for _, lo, hi in buckets]


def _days_to_regie(cases: Sequence[OpenedCase], work: WorkingTime) -> dict[str, list[float]]:
    by_type: dict[str, list[float]] = {}
    for case in cases:
        if case.first_regie_at is not None:
            days = float(work.days(case.opened_at, case.first_regie_at))
            by_type.setdefault(case.case_type, []).append(days)
    return by_type


def _first_regie_table(
    cur: Mapping[str, list[float]],
    prev: Mapping[str, list[float]],
    types: Sequence[str],
    labels: Labels,
    threshold: int,
) -> tuple[Table, Value, Value]:
    """Median working days to a first regiehouder per case type (now, previous), then
    ``@total``; with the two total medians (now, previous)."""
    rows: list[tuple[Cell, ...]] = []
    for t in types:
        rows.append(
            (
                labels.case_types[t],
                guarded_median(cur.get(t, []), threshold, Unit.DAYS),
                guarded_median(prev.get(t, []), threshold, Unit.DAYS),
            )
        )
    all_cur = [d for v in cur.values() for d in v]
    all_prev = [d for v in prev.values() for d in v]
    total_cur = guarded_median(all_cur, threshold, Unit.DAYS)
    total_prev = guarded_median(all_prev, threshold, Unit.DAYS)
    rows.append(("@total", total_cur, total_prev))
    lead = Table("regie_first", ("case_type", "median_now", "median_prev"), tuple(rows))
    return lead, total_cur, total_prev


def _vacancy_tables(
    facts: RegieFacts, labels: Labels, work: WorkingTime, threshold: int
) -> tuple[Table, Table, Count, Value]:
    """Cases without regie now: per municipality (count, median working days without
    regie) then ``@total``, and per bucket of working days (``VACANCY_BUCKETS``); with
    the total count and median."""
    vacant_days = [
        work.days(v.vacant_since, facts.now) for v in facts.vacant if v.vacant_since <= facts.now
    ]
    munis = [m for m in labels.municipalities if any(v.municipality == m for v in facts.vacant)]
    per_muni, vacant_total = suppress_vector(
        [sum(1 for v in facts.vacant if v.municipality == m) for m in munis], threshold
    )
    vacant_rows: list[tuple[Cell, ...]] = []
    for i, m in enumerate(munis):
        days = [
            float(work.days(v.vacant_since, facts.now)) for v in facts.vacant if v.municipality == m
        ]
        vacant_rows.append(
            (labels.municipalities[m], per_muni[i], guarded_median(days, threshold, Unit.DAYS))
        )
    vacant_median = guarded_median([float(d) for d in vacant_days], threshold, Unit.DAYS)
    vacant_rows.append(("@total", vacant_total, vacant_median))
    vacant = Table("regie_vacant", ("municipality", "count", "median_days"), tuple(vacant_rows))
    buckets, _ = suppress_vector(_bucketed(vacant_days, VACANCY_BUCKETS), threshold)
    vacant_buckets = Table(
        "regie_vacant_days",
        ("working_days", "count"),
        tuple((label, buckets[i]) for i, (label, _, _) in enumerate(VACANCY_BUCKETS)),
    )
    return vacant, vacant_buckets, vacant_total, vacant_median


def _change_table(facts: RegieFacts, threshold: int) -> tuple[Table, Count]:
    """Cases per number of regie changes (``CHANGE_BUCKETS``: now, previous, change),
    then ``@total``; with this period's total."""
    c_now, c_total = suppress_vector(_bucketed(facts.changes_current, CHANGE_BUCKETS), threshold)
    c_prev, p_total = suppress_vector(_bucketed(facts.changes_previous, CHANGE_BUCKETS), threshold)
    change_rows: list[tuple[Cell, ...]] = [
        (label, c_now[i], c_prev[i], compare(c_now[i], c_prev[i]))
        for i, (label, _, _) in enumerate(CHANGE_BUCKETS)
    ]
    change_rows.append(("@total", c_total, p_total, compare(c_total, p_total)))
    changes = Table("regie_changes", ("changes", "now", "prev", "diff"), tuple(change_rows))
    return changes, c_total


def _changes_line(facts: RegieFacts, c_total: Count, threshold: int) -> Line:
    """Regie changes now and previous (suppressed), and the share of cases (of
    ``c_total``) whose regie changed hands at least once."""
    transfers_now = sum(facts.changes_current)
    transfers_prev = sum(facts.changes_previous)
    changed_now, _ = suppress_vector(
        [
            sum(1 for c in facts.changes_current if c > 0),
            sum(1 for c in facts.changes_current if c == 0),
        ],
        threshold,
    )
    return Line(
        "regie_changes",
        {
            "changes": suppress_vector([transfers_now], threshold)[1],
            "changes_prev": suppress_vector([transfers_prev], threshold)[1],
            "share": guarded_share(changed_now[0], c_total),
        },
    )


def procesregie(facts: RegieFacts, labels: Labels, work: WorkingTime, threshold: int) -> Section:
    """Working days to a first regiehouder, cases without regie now, regie changes.

    Working days to first regie: ``WorkingTime.days(opened_at, first_regie_at)`` — 0
    when regie was taken the same day. Cases still without a first regiehouder are
    counted, not measured.
    """
    cur = _days_to_regie(facts.opened_current, work)
    prev = _days_to_regie(facts.opened_previous, work)
    types = [t for t in labels.case_types if t in cur or t in prev]
    lead, total_cur, total_prev = _first_regie_table(cur, prev, types, labels, threshold)
    waiting_cur = sum(1 for c in facts.opened_current if c.first_regie_at is None)
    vacant, vacant_buckets, vacant_total, vacant_median = _vacancy_tables(
        facts, labels, work, threshold
    )
    changes, c_total = _change_table(facts, threshold)
    boxes = Boxes(
        "regie_boxes",
        Unit.DAYS,
        tuple(
            (labels.case_types[t], tuple(cur[t])) for t in types if len(cur.get(t, [])) >= threshold
        ),
    )
    lines = (
        Line("regie_first", {"median": total_cur, "previous": total_prev}),
        Line("regie_waiting", {"count": suppress_vector([waiting_cur], threshold)[1]}),
        Line("regie_vacant", {"count": vacant_total, "median": vacant_median}),
        _changes_line(facts, c_total, threshold),
    )
    return Section("regie", lines, (lead, vacant, vacant_buckets, changes), (boxes,))


def value_of(cell: Cell) -> float | None:
    """A cell's visible number (``None`` for hidden or undefined ones); for tests."""
    if isinstance(cell, Count):
        return None if cell.hidden else float(cell.value)
    if isinstance(cell, Value):
        return cell.value
    return None
