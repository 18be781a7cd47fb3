"""Report sections for escalations, signals and the helpdesk, from documented facts.

These areas are built elsewhere; their sections are computed here from small, plain
fact records so that the report is ready when they land: a loader (see the
``*Loader`` protocols in ``avz_bot.services.reports.sections``) turns their tables into
these facts. All instants are aware datetimes (UTC); "working hours" are office hours on
Dutch working days (``WorkingTime.hours``), "working days" count local dates
(``WorkingTime.days``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from avz_bot.domain.escalations.model import TargetKind
from avz_bot.domain.reports.figures import Boxes, Cell, Line, Section, Table
from avz_bot.domain.reports.periods import (
    Count,
    Unit,
    WorkingTime,
    compare,
    guarded_median,
    guarded_share,
    suppress,
    suppress_vector,
)

#: The escalation level whose decisions count as "decided at ketenmanager level": a level
#: is named by whom it addresses (``TargetKind``, as configured in ``[escalations]``).
KETENMANAGER_LEVEL = TargetKind.KETENMANAGERS.value
#: The municipality code of signals without a (known) municipality: their own column.
NO_MUNICIPALITY = ""


# --------------------------------------------------------------------------- escalations
@dataclass(frozen=True, slots=True)
class EscalationFacts:
    """One escalation requested in the period.

    ``route``: e.g. ``inhoudelijk`` / ``samenwerking``; ``level``: the level it was
    requested at; ``acknowledged_at``/``decided_at``: first acknowledgement and the
    decision (``None``: not yet); ``decided_level``: the level that decided.
    """

    route: str
    level: str
    municipality: str
    requested_at: datetime
    acknowledged_at: datetime | None
    decided_at: datetime | None
    decided_level: str | None


def _escalation_figures(
    items: Sequence[EscalationFacts], work: WorkingTime
) -> tuple[list[float], list[float], int, int]:
    """(working hours to the first acknowledgement, working days to the decision, number
    decided, number decided at ketenmanager level) of ``items``."""
    ack = [
        work.hours(e.requested_at, e.acknowledged_at)
        for e in items
        if e.acknowledged_at is not None
    ]
    decide = [float(work.days(e.requested_at, e.decided_at)) for e in items if e.decided_at]
    decided = sum(1 for e in items if e.decided_at is not None)
    by_km = sum(1 for e in items if e.decided_at and e.decided_level == KETENMANAGER_LEVEL)
    return ack, decide, decided, by_km


def _escalation_rows(
    current: Sequence[EscalationFacts],
    keys: Sequence[tuple[str, str]],
    counts: tuple[Sequence[Count], Count, Sequence[Count], Count],
    work: WorkingTime,
    threshold: int,
) -> list[tuple[Cell, ...]]:
    """Rows (route / level, now, previous, median ack hours, median decision days,
    ketenmanager share) per (route, level) of ``keys``, then ``@total``; ``counts``:
    (now per key, now total, previous per key, previous total), suppressed."""
    now_counts, now_total, prev_counts, prev_total = counts
    rows: list[tuple[Cell, ...]] = []
    for i, key in enumerate([*keys, None]):
        items = current if key is None else [e for e in current if (e.route, e.level) == key]
        ack, decide, decided, by_km = _escalation_figures(items, work)
        km, _ = suppress_vector([by_km, decided - by_km], threshold)
        decided_count = suppress_vector([decided], threshold)[1]
        rows.append(
            (
                "@total" if key is None else f"{key[0]} / {key[1]}",
                now_total if key is None else now_counts[i],
                prev_total if key is None else prev_counts[i],
                guarded_median(ack, threshold, Unit.HOURS),
                guarded_median(decide, threshold, Unit.DAYS),
                guarded_share(km[0], decided_count),
            )
        )
    return rows


def escalations(
    current: Sequence[EscalationFacts],
    previous: Sequence[EscalationFacts],
    work: WorkingTime,
    threshold: int,
) -> Section:
    """Per route and level: count (and previous), median working hours to the first
    acknowledgement, median working days to the decision, and the share of decisions
    taken at ketenmanager level (among decided escalations)."""
    keys = sorted({(e.route, e.level) for e in (*current, *previous)})
    now_counts, now_total = suppress_vector(
        [sum(1 for e in current if (e.route, e.level) == k) for k in keys], threshold
    )
    prev_counts, prev_total = suppress_vector(
        [sum(1 for e in previous if (e.route, e.level) == k) for k in keys], threshold
    )
    counts = (now_counts, now_total, prev_counts, prev_total)
    rows = _escalation_rows(current, keys, counts, work, threshold)
    table = Table(
        "escalations_route",
        ("route_level", "now", "prev", "ack_hours", "decision_days", "ketenmanager_share"),
        tuple(rows),
    )
    total_row = rows[-1]
    lines = (
        Line(
            "escalations",
            {
                "count": now_total,
                "diff": compare(now_total, prev_total),
                "ack": total_row[3],
                "decision": total_row[4],
                "share": total_row[5],
            },
        ),
    )
    ack_all, _, _, _ = _escalation_figures(current, work)
    boxes = Boxes(
        "escalations_boxes",
        Unit.HOURS,
        (("@total", tuple(ack_all)),) if len(ack_all) >= threshold else (),
    )
    return Section("escalations", lines, (table,), (boxes,))


# --------------------------------------------------------------------------- signals
@dataclass(frozen=True, slots=True)
class SignalFacts:
    """``count`` signals submitted in the period with this category and municipality
    (no person; a loader should aggregate with ``GROUP BY category, municipality``)."""

    category: str
    municipality: str
    count: int = 1


@dataclass(frozen=True, slots=True)
class MatchFacts:
    """``count`` matches between signals found in the period that did (or did not)
    lead to a case (``led_to_case``); aggregated like ``SignalFacts``."""

    led_to_case: bool
    count: int = 1


def _signal_matrix(
    current: Sequence[SignalFacts],
    previous: Sequence[SignalFacts],
    municipalities: Mapping[str, str],
    threshold: int,
) -> tuple[Table, Count, Count]:
    """The category × municipality table of this period's signals (suppressed; rows:
    categories of either period, sorted, then ``@total``; columns: the municipalities
    with signals in configured order, then "no municipality" if any, the total and the
    previous period's count), with this period's and the previous period's total."""
    categories = sorted({s.category for s in (*current, *previous)})

    def column(s: SignalFacts) -> str:
        return s.municipality if s.municipality in municipalities else NO_MUNICIPALITY

    munis = [m for m in municipalities if any(s.municipality == m for s in current)]
    if any(column(s) == NO_MUNICIPALITY for s in current):
        munis.append(NO_MUNICIPALITY)
    cells: dict[tuple[str, str], int] = {}
    for s in current:
        cells[(s.category, column(s))] = cells.get((s.category, column(s)), 0) + s.count
    table = suppress([[cells.get((c, m), 0) for m in munis] for c in categories], threshold)
    prev_counts, prev_total = suppress_vector(
        [sum(s.count for s in previous if s.category == c) for c in categories], threshold
    )
    rows: list[tuple[Cell, ...]] = [
        (c, *table.cells[i], table.row_totals[i], prev_counts[i]) for i, c in enumerate(categories)
    ]
    rows.append(("@total", *table.column_totals, table.total, prev_total))
    matrix = Table(
        "signals_matrix",
        (
            "category",
            *(f"municipality:{m}" if m else "no_municipality" for m in munis),
            "total",
            "prev",
        ),
        tuple(rows),
    )
    return matrix, table.total, prev_total


def _match_counts(items: Sequence[MatchFacts], threshold: int) -> tuple[Count, Count]:
    """(matches that led to a case, all matches), suppressed together."""
    led = sum(m.count for m in items if m.led_to_case)
    pair, total = suppress_vector([led, sum(m.count for m in items) - led], threshold)
    return pair[0], total


def signals(
    current: Sequence[SignalFacts],
    previous: Sequence[SignalFacts],
    matches_current: Sequence[MatchFacts],
    matches_previous: Sequence[MatchFacts],
    municipalities: Mapping[str, str],
    threshold: int,
) -> Section:
    """Signals per category × municipality (suppressed; signals without a municipality
    in ``municipalities`` in a column of their own), matches, and the share of matches
    that led to a case (with the previous period)."""
    matrix, total, prev_total = _signal_matrix(current, previous, municipalities, threshold)
    led_now, m_now = _match_counts(matches_current, threshold)
    led_prev, m_prev = _match_counts(matches_previous, threshold)
    lines = (
        Line("signals", {"count": total, "diff": compare(total, prev_total)}),
        Line(
            "signals_matches",
            {
                "count": m_now,
                "diff": compare(m_now, m_prev),
                "share": guarded_share(led_now, m_now),
                "previous": guarded_share(led_prev, m_prev),
            },
        ),
    )
    return Section("signals", lines, (matrix,))


# --------------------------------------------------------------------------- helpdesk
@dataclass(frozen=True, slots=True)
class QuestionFacts:
    """One helpdesk question asked in the period: its theme, the first response and
    the solution (``None``: not yet)."""

    theme: str
    asked_at: datetime
    first_response_at: datetime | None
    solved_at: datetime | None


@dataclass(frozen=True, slots=True)
class CardFacts:
    """One knowledge card: when it was published and when its review is due (``None``:
    not published / no review date)."""

    published_at: datetime | None
    review_due_at: datetime | None


def _helpdesk_rows(
    current: Sequence[QuestionFacts],
    themes: Sequence[str],
    counts: tuple[Sequence[Count], Count, Sequence[Count], Count],
    now: datetime,
    service_level_hours: Callable[[str], float],
    work: WorkingTime,
    threshold: int,
) -> list[tuple[Cell, ...]]:
    """Rows (theme, now, previous, median hours to first response, median hours to
    solution, share within the service level) per theme of ``themes``, then
    ``@total``; ``counts``: (now per theme, now total, previous per theme, previous
    total), suppressed."""
    now_counts, now_total, prev_counts, prev_total = counts
    rows: list[tuple[Cell, ...]] = []
    for i, theme in enumerate([*themes, None]):
        items = current if theme is None else [q for q in current if q.theme == theme]
        first = [work.hours(q.asked_at, q.first_response_at) for q in items if q.first_response_at]
        solved = [work.hours(q.asked_at, q.solved_at) for q in items if q.solved_at]
        within = sum(
            1
            for q in items
            if work.hours(q.asked_at, q.first_response_at or now) <= service_level_hours(q.theme)
        )
        pair, total = suppress_vector([within, len(items) - within], threshold)
        rows.append(
            (
                "@total" if theme is None else theme,
                now_total if theme is None else now_counts[i],
                prev_total if theme is None else prev_counts[i],
                guarded_median(first, threshold, Unit.HOURS),
                guarded_median(solved, threshold, Unit.HOURS),
                guarded_share(pair[0], total),
            )
        )
    return rows


def helpdesk(
    current: Sequence[QuestionFacts],
    previous: Sequence[QuestionFacts],
    cards: Sequence[CardFacts],
    period: tuple[datetime, datetime],
    now: datetime,
    service_level_hours: Callable[[str], float],
    work: WorkingTime,
    threshold: int,
) -> Section:
    """Questions per theme (and previous), median working hours to the first response
    and to the solution, the share answered within the service level
    (``service_level_hours(theme)`` working hours to the first response; unanswered questions
    older than that count as outside it); knowledge cards published in ``period``
    (UTC start, end) and cards overdue for review at ``now``."""
    themes = sorted({q.theme for q in (*current, *previous)})
    now_counts, now_total = suppress_vector(
        [sum(1 for q in current if q.theme == t) for t in themes], threshold
    )
    prev_counts, prev_total = suppress_vector(
        [sum(1 for q in previous if q.theme == t) for t in themes], threshold
    )
    counts = (now_counts, now_total, prev_counts, prev_total)
    rows = _helpdesk_rows(current, themes, counts, now, service_level_hours, work, threshold)
    table = Table(
        "helpdesk_theme",
        ("theme", "now", "prev", "first_response_hours", "solution_hours", "within_sla"),
        tuple(rows),
    )
    start, end = period
    published = sum(1 for c in cards if c.published_at and start <= c.published_at < end)
    overdue = sum(1 for c in cards if c.review_due_at and c.review_due_at < now)
    total_row = rows[-1]
    lines = (
        Line(
            "helpdesk",
            {
                "count": now_total,
                "diff": compare(now_total, prev_total),
                "first": total_row[3],
                "solution": total_row[4],
                "share": total_row[5],
            },
        ),
        # Cards are documents, not people: no suppression needed.
        Line("helpdesk_cards", {"published": Count(published), "overdue": Count(overdue)}),
    )
    return Section("helpdesk", lines, (table,))
