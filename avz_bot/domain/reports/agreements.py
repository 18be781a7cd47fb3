"""Report section over agreements: on time, working days overdue, postponements.

Pure, like ``avz_bot.domain.reports.sections`` (same suppression and comparison rules).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from avz_bot.domain.reports.figures import Boxes, Cell, Line, Section, Table
from avz_bot.domain.reports.periods import (
    SuppressedTable,
    Unit,
    WorkingTime,
    compare,
    guarded_median,
    guarded_share,
    suppress,
    suppress_vector,
)
from avz_bot.domain.reports.sections import Labels


@dataclass(frozen=True, slots=True)
class AgreementCounts:
    """Agreements of one municipality due (current deadline) in one period, not lapsed:
    ``due``; completed on or before the deadline ``on_time``; ``postponed``: with at
    least one postponement."""

    due: int = 0
    on_time: int = 0
    postponed: int = 0


@dataclass(frozen=True, slots=True)
class LateAgreement:
    """An agreement finished after its deadline, or still open past it: the deadline
    and when it was finished (``None``: still open, measured to the report's time)."""

    municipality: str
    deadline: datetime
    completed_at: datetime | None


@dataclass(frozen=True, slots=True)
class AgreementFacts:
    """Input of the agreements section (municipality code → counts; the late ones;
    postponements made in each period)."""

    current: Mapping[str, AgreementCounts]
    previous: Mapping[str, AgreementCounts]
    late_current: Sequence[LateAgreement]
    late_previous: Sequence[LateAgreement]
    postponements_current: int
    postponements_previous: int
    now: datetime


def _overdue(
    late: Sequence[LateAgreement], work: WorkingTime, now: datetime
) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {}
    for a in late:
        end = a.completed_at or now
        found.setdefault(a.municipality, []).append(float(work.days(a.deadline, end)))
    return found


def _on_time_table(
    counts: Mapping[str, AgreementCounts], munis: Sequence[str], threshold: int
) -> SuppressedTable:
    """Per municipality (``munis``, in order): [on time, not on time] (their sum is
    "due"), the two columns suppressed together."""
    empty = AgreementCounts()
    return suppress(
        [
            [
                counts.get(m, empty).on_time,
                counts.get(m, empty).due - counts.get(m, empty).on_time,
            ]
            for m in munis
        ],
        threshold,
        columns=2,
    )


def _all_days(late: Mapping[str, list[float]]) -> list[float]:
    """Every municipality's working days overdue, in one list."""
    return [d for v in late.values() for d in v]


def _municipality_table(
    munis: Sequence[str],
    labels: Labels,
    tables: tuple[SuppressedTable, SuppressedTable],
    late: tuple[dict[str, list[float]], dict[str, list[float]]],
    threshold: int,
) -> Table:
    """Rows (municipality, due, on-time share now/previous, median days overdue
    now/previous) per municipality, then ``@total``; ``tables`` and ``late`` are
    (current, previous)."""
    now_t, prev_t = tables
    late_now, late_prev = late
    rows: list[tuple[Cell, ...]] = []
    for i, m in enumerate([*munis, None]):
        if m is None:
            label, n_c, ok_c, n_p, ok_p = (
                "@total",
                now_t.total,
                now_t.column_totals[0],
                prev_t.total,
                prev_t.column_totals[0],
            )
            days_c = _all_days(late_now)
            days_p = _all_days(late_prev)
        else:
            label = labels.municipalities[m]
            n_c, ok_c = now_t.row_totals[i], now_t.cells[i][0]
            n_p, ok_p = prev_t.row_totals[i], prev_t.cells[i][0]
            days_c, days_p = late_now.get(m, []), late_prev.get(m, [])
        rows.append(
            (
                label,
                n_c,
                guarded_share(ok_c, n_c),
                guarded_share(ok_p, n_p),
                guarded_median(days_c, threshold, Unit.DAYS),
                guarded_median(days_p, threshold, Unit.DAYS),
            )
        )
    return Table(
        "agreements_municipality",
        ("municipality", "due", "on_time_now", "on_time_prev", "overdue_now", "overdue_prev"),
        tuple(rows),
    )


def _lines(
    facts: AgreementFacts,
    tables: tuple[SuppressedTable, SuppressedTable],
    days: tuple[list[float], list[float]],
    threshold: int,
) -> tuple[Line, ...]:
    """The summary lines: on time (due, share, previous share), overdue (median days,
    previous) and postponed (count, change, share of due); ``tables`` and ``days`` are
    (current, previous)."""
    now_t, prev_t = tables
    all_now, all_prev = days
    postponed_now = sum(c.postponed for c in facts.current.values())
    p_now = suppress_vector([facts.postponements_current], threshold)[1]
    p_prev = suppress_vector([facts.postponements_previous], threshold)[1]
    postponed_pair, _ = suppress_vector(
        [postponed_now, now_t.total.value - postponed_now], threshold
    )
    return (
        Line(
            "agreements_on_time",
            {
                "due": now_t.total,
                "share": guarded_share(now_t.column_totals[0], now_t.total),
                "previous": guarded_share(prev_t.column_totals[0], prev_t.total),
            },
        ),
        Line(
            "agreements_overdue",
            {
                "median": guarded_median(all_now, threshold, Unit.DAYS),
                "previous": guarded_median(all_prev, threshold, Unit.DAYS),
            },
        ),
        Line(
            "agreements_postponed",
            {
                "count": p_now,
                "diff": compare(p_now, p_prev),
                "share": guarded_share(postponed_pair[0], now_t.total),
            },
        ),
    )


def agreements(facts: AgreementFacts, labels: Labels, work: WorkingTime, threshold: int) -> Section:
    """Share of agreements done on time, working days overdue (median), postponements.

    "On time": finished (``klaar``) at or before the (possibly postponed) deadline.
    Working days overdue: ``WorkingTime.days(deadline, finished or now)``; an agreement
    finished late on its deadline day counts 0.
    """
    munis = [m for m in labels.municipalities if m in facts.current or m in facts.previous]
    late_now = _overdue(facts.late_current, work, facts.now)
    late_prev = _overdue(facts.late_previous, work, facts.now)
    tables = (
        _on_time_table(facts.current, munis, threshold),
        _on_time_table(facts.previous, munis, threshold),
    )
    table = _municipality_table(munis, labels, tables, (late_now, late_prev), threshold)
    all_now, all_prev = _all_days(late_now), _all_days(late_prev)
    lines = _lines(facts, tables, (all_now, all_prev), threshold)
    boxes = Boxes(
        "agreements_boxes",
        Unit.DAYS,
        tuple(
            (key, tuple(values))
            for key, values in (("@now", all_now), ("@prev", all_prev))
            if len(values) >= threshold
        ),
    )
    return Section("agreements", lines, (table,), (boxes,))
