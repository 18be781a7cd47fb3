"""The helpdesk (vraagbaak) and its knowledge cards: life cycles and clocks (pure).

A question (``VR-<jaar>-<nr>``) goes ``open → opgepakt → beantwoord → gesloten``; an answer
without a claim skips ``opgepakt``; ``!heropen`` takes an answered or closed question back to
``opgepakt`` (or ``open`` when nobody had it). Who may do what, in which status, is the one
table :data:`~avz_bot.domain.helpdesk.permissions.QUESTION_PERMISSIONS`; cards have
:data:`~avz_bot.domain.helpdesk.permissions.CARD_PERMISSIONS`.

Service levels run in *working time* (office hours on Dutch working days, see
:meth:`WorkCalendar.add_working_time`): a first response (a claim or an answer) and a
solution (an answer). A missed level walks the breach chain: the claimer (or, unclaimed, the
theme's experts) → the theme's backup experts → the coordination room, one step per
``step_after`` of working time. The model follows Zammad's SLA calendars and discourse-solved's
auto-close with a reminder (research notes §2.1).

A knowledge card goes ``concept → gepubliceerd → vervallen``; a published card whose review
date has passed is *herziening nodig* until ``!kennis bevestig`` renews it (the "evergreen"
review of Dispatch / Stack Overflow Content Health). Drafts are never published automatically
and publishing refuses text with a BSN-valid number (:func:`contains_bsn`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from avz_bot.domain.helpdesk.permissions import (
    CardAction,
    QuestionAction,
    Relation,
    check_card,
    check_question,
)
from avz_bot.domain.helpdesk.status import (
    CardState,
    CardStatus,
    QuestionStatus,
    Refusal,
    RefusalCode,
)
from avz_bot.domain.signals.identifiers import contains_bsn
from avz_bot.domain.workdays import WorkCalendar


# --------------------------------------------------------------------------- questions
@dataclass(frozen=True, slots=True)
class Question:
    """The state of one question that the rules look at (times aware UTC)."""

    status: QuestionStatus
    asker: str
    theme: str
    asked_at: datetime
    claimed_by: str | None = None
    first_response_at: datetime | None = None
    answered_at: datetime | None = None
    answered_by: str | None = None
    closed_at: datetime | None = None
    #: When the solution clock (re)started: the question, or its last re-opening.
    solution_from: datetime | None = None


@dataclass(frozen=True, slots=True)
class Claimed:
    """Event: ``by`` took the question."""

    by: str


@dataclass(frozen=True, slots=True)
class Answered:
    """Event: ``by`` recorded an answer (``claimed`` when that also took the question)."""

    by: str
    claimed: bool


@dataclass(frozen=True, slots=True)
class Closed:
    """Event: the question closed (``automatic``: no reaction from the asker in time)."""

    by: str | None
    automatic: bool


@dataclass(frozen=True, slots=True)
class Reopened:
    """Event: the question is open again."""

    by: str


QuestionEvent = Claimed | Answered | Closed | Reopened


def _refusal(
    action: QuestionAction, question: Question, relations: frozenset[Relation]
) -> Refusal | None:
    return check_question(action, question.status, relations)


def claim(
    question: Question, who: str, relations: frozenset[Relation], at: datetime
) -> tuple[Question, Claimed] | Refusal:
    """``!oppakken`` / 🙋: ``who`` takes an open question (or the :class:`Refusal`)."""
    if (refused := _refusal(QuestionAction.CLAIM, question, relations)) is not None:
        return refused
    changed = replace(
        question,
        status=QuestionStatus.CLAIMED,
        claimed_by=who,
        first_response_at=question.first_response_at or at,
    )
    return changed, Claimed(who)


def answer(
    question: Question, who: str, relations: frozenset[Relation], at: datetime
) -> tuple[Question, Answered] | Refusal:
    """``!antwoord``: record an answer (taking the question if nobody had it)."""
    if (refused := _refusal(QuestionAction.ANSWER, question, relations)) is not None:
        return refused
    claimed = question.claimed_by is None
    changed = replace(
        question,
        status=QuestionStatus.ANSWERED,
        claimed_by=question.claimed_by or who,
        first_response_at=question.first_response_at or at,
        answered_at=at,
        answered_by=who,
    )
    return changed, Answered(who, claimed)


def confirm(
    question: Question, who: str, relations: frozenset[Relation], at: datetime
) -> tuple[Question, Closed] | Refusal:
    """``!opgelost``: the asker (or a ketenmanager) confirms the answer."""
    if (refused := _refusal(QuestionAction.CONFIRM, question, relations)) is not None:
        return refused
    return replace(question, status=QuestionStatus.CLOSED, closed_at=at), Closed(who, False)


def auto_close(question: Question, at: datetime) -> tuple[Question, Closed] | None:
    """Close an answered question nobody reacted to; ``None`` if it is not answered (any
    more): a job that fires after a re-opening or a confirmation then does nothing."""
    if question.status is not QuestionStatus.ANSWERED:
        return None
    return replace(question, status=QuestionStatus.CLOSED, closed_at=at), Closed(None, True)


def reopen(
    question: Question, who: str, relations: frozenset[Relation], at: datetime
) -> tuple[Question, Reopened] | Refusal:
    """``!heropen``: back to the claimer (or open when nobody had it); the solution clock
    starts again from ``at``."""
    if (refused := _refusal(QuestionAction.REOPEN, question, relations)) is not None:
        return refused
    status = QuestionStatus.CLAIMED if question.claimed_by else QuestionStatus.OPEN
    changed = replace(
        question,
        status=status,
        answered_at=None,
        answered_by=None,
        closed_at=None,
        solution_from=at,
    )
    return changed, Reopened(who)


# --------------------------------------------------------------------------- service levels
class Clock(StrEnum):
    """The two service-level clocks of a question."""

    FIRST_RESPONSE = "eerste_reactie"
    SOLUTION = "oplossing"


class BreachStep(StrEnum):
    """Who hears about a missed service level, in order."""

    EXPERTS = "experts"  # the claimer, or unclaimed all experts of the theme
    BACKUP = "backup"
    COORDINATION = "coordinatie"


BREACH_CHAIN: tuple[BreachStep, ...] = (
    BreachStep.EXPERTS,
    BreachStep.BACKUP,
    BreachStep.COORDINATION,
)


@dataclass(frozen=True, slots=True)
class ServiceLevel:
    """A theme's service levels, in working days of office time (fractions allowed).

    ``step_after`` is the working time between two steps of the breach chain.
    """

    first_response_days: float = 1.0
    solution_days: float = 5.0
    step_after_days: float = 0.5


@dataclass(frozen=True, slots=True)
class BreachDue:
    """The next breach notification of a question: which clock, which step, when (UTC)."""

    clock: Clock
    step: BreachStep
    due_at: datetime


def running_clock(question: Question) -> tuple[Clock, datetime] | None:
    """The clock that can still be missed and since when it runs, or ``None``."""
    if question.status is QuestionStatus.OPEN and question.first_response_at is None:
        return Clock.FIRST_RESPONSE, question.asked_at
    if question.status in {QuestionStatus.OPEN, QuestionStatus.CLAIMED}:
        return Clock.SOLUTION, question.solution_from or question.asked_at
    return None


def clock_deadline(
    clock: Clock, since: datetime, level: ServiceLevel, calendar: WorkCalendar
) -> datetime:
    """When ``clock`` (started at ``since``) is missed, in working time."""
    days = level.first_response_days if clock is Clock.FIRST_RESPONSE else level.solution_days
    return calendar.add_working_time(since, calendar.office_day * days)


def next_breach(
    question: Question,
    level: ServiceLevel,
    calendar: WorkCalendar,
    after: tuple[Clock, BreachStep] | None = None,
) -> BreachDue | None:
    """The next step of the breach chain, after the step ``after`` already delivered.

    ``None`` when no clock runs or the chain has ended. A step of another clock than the
    running one does not count (after a claim the solution clock starts its own chain).
    """
    running = running_clock(question)
    if running is None:
        return None
    clock, since = running
    index = 0
    if after is not None and after[0] is clock:
        index = BREACH_CHAIN.index(after[1]) + 1
    if index >= len(BREACH_CHAIN):
        return None
    deadline = clock_deadline(clock, since, level, calendar)
    if index:
        step_time = calendar.office_day * level.step_after_days * index
        deadline = calendar.add_working_time(deadline, step_time)
    return BreachDue(clock, BREACH_CHAIN[index], deadline)


@dataclass(frozen=True, slots=True)
class AutoClosePlan:
    """When an unconfirmed answer is closed, and when the asker is reminded first (UTC)."""

    remind_at: datetime
    close_at: datetime


def auto_close_plan(answered_at: datetime, days: float, calendar: WorkCalendar) -> AutoClosePlan:
    """Close ``days`` working days after the answer; remind one working day before (or
    half-way, when ``days`` is one or less)."""
    close_at = calendar.add_working_time(answered_at, calendar.office_day * days)
    before = days - 1 if days > 1 else days / 2
    remind_at = calendar.add_working_time(answered_at, calendar.office_day * before)
    return AutoClosePlan(remind_at, close_at)


def age_in_working_hours(asked_at: datetime, now: datetime, calendar: WorkCalendar) -> float:
    """How long a question has waited, in working hours (for ``!vragen``)."""
    return calendar.working_time_between(asked_at, now) / timedelta(hours=1)


# --------------------------------------------------------------------------- cards
def card_state(status: CardStatus, review_due: datetime | None, now: datetime) -> CardState:
    """The card's state at ``now`` (a published card past its review date is due)."""
    if status is CardStatus.PUBLISHED and review_due is not None and review_due <= now:
        return CardState.REVIEW_DUE
    return CardState(status.value)


def check_publish(
    state: CardState, relations: frozenset[Relation], title: str, body: str
) -> Refusal | None:
    """Publishing: the permission table, a non-empty text and no BSN-valid number."""
    refusal = check_card(CardAction.PUBLISH, state, relations)
    if refusal is not None:
        return refusal
    if not title.strip() or not body.strip():
        return Refusal(RefusalCode.EMPTY, state)
    if contains_bsn(f"{title}\n{body}"):
        return Refusal(RefusalCode.BSN, state)
    return None


def review_due_from(at: datetime, review_days: int, calendar: WorkCalendar) -> datetime:
    """The review date of a card published or confirmed at ``at``: a date a person would
    choose, not ``at`` plus an exact number of seconds.

    ``review_days`` calendar days after ``at``'s local date, moved to the first working
    day on or after it (weekends, holidays and ``extra_closed_days`` of ``calendar``
    skipped), at the calendar's ``morning`` (09:00 by default). Returns an aware UTC
    instant. A card published on Tuesday 8 December 2026 at 00:04 with 180 days is due on
    Monday 7 June 2027 at 09:00, not on Sunday 6 June at 00:04.
    """
    day = calendar.local_date(at) + timedelta(days=review_days)
    return calendar.at(calendar.next_working_day(day, include_today=True), calendar.morning)
