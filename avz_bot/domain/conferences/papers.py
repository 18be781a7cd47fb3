"""What a case conference's agenda and minutes say, and when it is reminded of (pure).

The service loads the data; these functions decide which items go where and in which
order. Wording is the view's business (``avz_bot.services.conferences.view``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from avz_bot.domain.agreements.status import AgreementStatus
from avz_bot.domain.conferences.lifecycle import ConferenceState, Participant
from avz_bot.domain.workdays import WorkCalendar


@dataclass(frozen=True, slots=True)
class AgreementFact:
    """An agreement of the case as the papers need it (``owner`` already a name).

    ``status`` is the stored status (``open``, ``klaar``, ``vervallen``);
    ``completed_at`` when it left ``open``; ``changed_at`` the last postponement.
    """

    number: int
    description: str
    owner: str
    deadline: datetime
    status: str
    created_at: datetime
    completed_at: datetime | None = None
    changed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """An agenda item a member added, or a decision: text, author (a name) and when."""

    text: str
    author: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Section:
    """One bounded list: at most ``limit`` items shown, ``more`` not shown."""

    name: str
    items: tuple[object, ...]
    more: int = 0


class SectionName(StrEnum):
    """The agenda's sections in their order (catalogue ``conference.agenda.<name>``)."""

    OVERDUE = "overdue"
    DUE = "due"
    FINISHED = "finished"
    SIGNALS = "signals"
    ESCALATIONS = "escalations"
    ITEMS = "items"


@dataclass(frozen=True, slots=True)
class Agenda:
    """The agenda: the regie situation first, then the sections in :class:`SectionName`
    order (signals and escalations only when those areas provide them)."""

    reference: str
    starts_at: datetime
    regie_holder: str | None
    regie_since: datetime
    since: datetime | None
    sections: tuple[Section, ...]


def _bounded(name: str, items: Sequence[object], limit: int) -> Section:
    return Section(name, tuple(items[:limit]), max(0, len(items) - limit))


def _agreement_sections(
    agreements: Sequence[AgreementFact],
    conference: ConferenceState,
    previous_at: datetime | None,
    now: datetime,
) -> tuple[list[AgreementFact], list[AgreementFact], list[AgreementFact]]:
    """The agenda's agreements as (overdue, due, finished), each in its order (see
    ``assemble_agenda``)."""
    open_ = [a for a in agreements if a.status == AgreementStatus.OPEN]
    overdue = sorted((a for a in open_ if a.deadline < now), key=lambda a: (a.deadline, a.number))
    due = sorted(
        (a for a in open_ if now <= a.deadline <= conference.starts_at),
        key=lambda a: (a.deadline, a.number),
    )
    finished = sorted(
        (
            a
            for a in agreements
            if a.status != AgreementStatus.OPEN
            and a.completed_at is not None
            and (previous_at is None or a.completed_at >= previous_at)
        ),
        key=lambda a: (a.completed_at or now, a.number),
        reverse=True,
    )
    return overdue, due, finished


def assemble_agenda(
    conference: ConferenceState,
    *,
    regie_holder: str | None,
    regie_since: datetime,
    agreements: Sequence[AgreementFact],
    items: Sequence[Entry],
    previous_at: datetime | None,
    now: datetime,
    limit: int,
    signals: Sequence[str] | None = None,
    escalations: Sequence[str] | None = None,
) -> Agenda:
    """The agenda for ``conference`` at ``now``.

    - overdue: open agreements with a deadline before ``now``, oldest deadline first;
    - due: open agreements due from ``now`` up to the conference's start, soonest first
      (what must be done by the time everyone meets);
    - finished: agreements finished or lapsed since the previous conference
      (``previous_at``, its start; all of them when there was none), latest first;
    - signals / escalations: lines from those areas, most urgent first, only if given;
    - items: what members added, in the order they were added.

    Every section shows at most ``limit`` items and counts the rest in ``more``.
    """
    overdue, due, finished = _agreement_sections(agreements, conference, previous_at, now)
    sections = [
        _bounded(SectionName.OVERDUE, overdue, limit),
        _bounded(SectionName.DUE, due, limit),
        _bounded(SectionName.FINISHED, finished, limit),
    ]
    if signals is not None:
        sections.append(_bounded(SectionName.SIGNALS, list(signals), limit))
    if escalations is not None:
        sections.append(_bounded(SectionName.ESCALATIONS, list(escalations), limit))
    ordered_items = sorted(items, key=lambda e: e.at)
    sections.append(_bounded(SectionName.ITEMS, ordered_items, limit))
    return Agenda(
        conference.reference,
        conference.starts_at,
        regie_holder,
        regie_since,
        previous_at,
        tuple(sections),
    )


@dataclass(frozen=True, slots=True)
class Minutes:
    """The minutes of a closed conference (names resolved by the caller)."""

    reference: str
    case_reference: str
    starts_at: datetime
    attendees: tuple[Participant, ...]
    absentees: tuple[Participant, ...]
    decisions: tuple[Entry, ...]
    new_agreements: tuple[AgreementFact, ...]
    changed_agreements: tuple[AgreementFact, ...]
    next_at: datetime | None


def assemble_minutes(
    conference: ConferenceState,
    *,
    decisions: Sequence[Entry],
    linked: Sequence[AgreementFact],
    agreements: Sequence[AgreementFact],
    next_at: datetime | None,
) -> Minutes:
    """The minutes: who attended and who not (by organisation), the decisions in the
    order they were taken, the agreements made during the conference (``linked``, by
    number) and the other agreements finished, lapsed or postponed while it ran (from
    its start time), and the next conference.
    """
    start = conference.starts_at
    linked_numbers = {a.number for a in linked}

    def changed(a: AgreementFact) -> bool:
        if a.number in linked_numbers:
            return False
        moments = (a.completed_at, a.changed_at)
        return any(m is not None and m >= start for m in moments)

    return Minutes(
        reference=conference.reference,
        case_reference=conference.case_reference,
        starts_at=start,
        attendees=tuple(conference.attendees()),
        absentees=tuple(conference.absentees()),
        decisions=tuple(sorted(decisions, key=lambda e: e.at)),
        new_agreements=tuple(sorted(linked, key=lambda a: a.number)),
        changed_agreements=tuple(sorted(filter(changed, agreements), key=lambda a: a.number)),
        next_at=next_at,
    )


# ----------------------------------------------------------------- reminders


class ReminderKind(StrEnum):
    """The two reminders of a conference."""

    DAY_BEFORE = "day_before"  # also posts the agenda
    HOUR_BEFORE = "hour_before"


def reminder_moments(
    starts_at: datetime,
    now: datetime,
    calendar: WorkCalendar,
    *,
    day_before_at: time,
    hour_before_minutes: int,
) -> list[tuple[ReminderKind, datetime]]:
    """When to remind of a conference starting at ``starts_at`` (aware UTC results).

    - DAY_BEFORE: on the working day before the conference's (local) date, at
      ``day_before_at`` local time, moved into office hours; if that moment has passed
      (planned at short notice) it is sent at once (``now``), as long as that is still
      at least ``hour_before_minutes`` before the start — else only the second one.
    - HOUR_BEFORE: ``hour_before_minutes`` before the start, only if that falls in office
      hours (a conference at 9:00 gets no reminder at 8:00) and is still ahead.
    """
    result: list[tuple[ReminderKind, datetime]] = []
    hour_before = starts_at - timedelta(minutes=hour_before_minutes)
    local_day: date = calendar.local_date(starts_at)
    day = calendar.previous_working_day(local_day)
    wall = min(max(day_before_at, calendar.office_start), calendar.office_end)
    first = calendar.at(day, wall)
    if first <= now:
        first = now
    if first < hour_before:
        result.append((ReminderKind.DAY_BEFORE, first))
    if hour_before > now and calendar.is_office_time(hour_before):
        result.append((ReminderKind.HOUR_BEFORE, hour_before))
    return result
