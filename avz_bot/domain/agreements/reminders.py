"""When to remind people of an agreement's deadline, and whom to escalate to (pure).

The schedule of one agreement is a short, finite, ordered list of planned reminders,
derived from the deadline, a :class:`ReminderPolicy` and a :class:`WorkCalendar` alone. That is
what lets the durable scheduler store only ONE next-reminder row per agreement:

1. when an agreement is made (or its deadline changes), store
   ``next_reminder(deadline, after=now, ...)``;
2. when that row is due, deliver ``due_reminder(deadline, since=row.due_at, now=now, ...)`` and
   replace the row by ``next_reminder(deadline, after=now, ...)`` (or delete it on ``None``).

``due_reminder`` collapses everything that fell due while the bot was down into one message
(the strongest kind, the latest count), so a restart never floods a room with stale reminders
and never loses an escalation. Every planned reminder falls within office hours on a working
day; a sweep that runs outside office hours should leave due rows alone until the next office
moment (``calendar.next_office_moment(now)``).

Reminders are delivered to (the delivering service resolves the people and rooms):

* ``BEFORE``, ``DEADLINE_MORNING``, ``OVERDUE``: the owner of the agreement;
* ``OVERDUE_REGIE``: the owner AND the case's regiehouder (it replaces that day's ``OVERDUE``);
* ``OVERDUE_COORDINATION``: the coordination room, and the owner (it replaces that day's
  ``OVERDUE``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum

from avz_bot.domain.workdays import WorkCalendar


class ReminderKind(StrEnum):
    """What a reminder is about; the order below is also its escalation rank."""

    BEFORE = "before"
    DEADLINE_MORNING = "deadline_morning"
    OVERDUE = "overdue"
    OVERDUE_REGIE = "overdue_regie"
    OVERDUE_COORDINATION = "overdue_coordination"

    @property
    def rank(self) -> int:
        """Escalation rank: higher means more people are told."""
        return list(ReminderKind).index(self)


@dataclass(frozen=True, slots=True)
class ReminderPolicy:
    """How insistent the bot is about a deadline. Counts are in working days.

    * ``before_working_days``: one ``BEFORE`` reminder at office start that many working days
      before the deadline's date (0 disables it).
    * ``deadline_morning``: a ``DEADLINE_MORNING`` reminder at this local time on the deadline's
      date, if that is a working day and the moment is still before the deadline (``None``
      disables it).
    * ``overdue_every_working_day``: after the deadline, an ``OVERDUE`` reminder at office
      start on every working day; if ``False`` only on the first one.
    * ``max_overdue_reminders``: the daily ``OVERDUE`` reminders stop after this many overdue
      working days, so a forgotten agreement does not nag forever; the escalations below still
      happen on their day even if that is later. After the last reminder the schedule ends:
      the agreement stays overdue, visible in overviews, without further messages.
    * ``notify_regie_after_working_days`` / ``notify_coordination_after_working_days``: on the
      working day with exactly that many overdue working days the reminder escalates to
      ``OVERDUE_REGIE`` / ``OVERDUE_COORDINATION`` (``None`` disables; if both fall on the
      same day, coordination wins).
    """

    before_working_days: int = 2
    deadline_morning: time | None = time(9, 0)
    overdue_every_working_day: bool = True
    notify_regie_after_working_days: int | None = 2
    notify_coordination_after_working_days: int | None = 5
    max_overdue_reminders: int = 10

    def __post_init__(self) -> None:
        if self.before_working_days < 0:
            raise ValueError("before_working_days must be >= 0")
        if self.max_overdue_reminders < 0:
            raise ValueError("max_overdue_reminders must be >= 0")
        for threshold in (
            self.notify_regie_after_working_days,
            self.notify_coordination_after_working_days,
        ):
            if threshold is not None and threshold < 1:
                raise ValueError("escalation thresholds must be >= 1 working day (or None)")
        if self.deadline_morning is not None and self.deadline_morning.tzinfo is not None:
            raise ValueError("deadline_morning must be a naive wall-clock time")

    @property
    def daily_overdue_limit(self) -> int:
        """The last overdue working day that still gets a plain ``OVERDUE`` reminder."""
        if self.overdue_every_working_day:
            return self.max_overdue_reminders
        return min(1, self.max_overdue_reminders)

    @property
    def last_overdue_working_day(self) -> int:
        """The overdue working day of the schedule's last reminder (0: none after deadline)."""
        return max(
            self.daily_overdue_limit,
            self.notify_regie_after_working_days or 0,
            self.notify_coordination_after_working_days or 0,
        )

    def overdue_kind(self, overdue_working_days: int) -> ReminderKind | None:
        """The kind of reminder on the given overdue working day (``None``: no reminder)."""
        if overdue_working_days == self.notify_coordination_after_working_days:
            return ReminderKind.OVERDUE_COORDINATION
        if overdue_working_days == self.notify_regie_after_working_days:
            return ReminderKind.OVERDUE_REGIE
        if 1 <= overdue_working_days <= self.daily_overdue_limit:
            return ReminderKind.OVERDUE
        return None


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    """One reminder: what, when (aware UTC) and, once overdue, for how many working days."""

    kind: ReminderKind
    due_at: datetime
    overdue_working_days: int = 0


def _require_aware(instant: datetime, name: str) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def schedule(
    deadline: datetime, policy: ReminderPolicy, calendar: WorkCalendar
) -> tuple[PlannedReminder, ...]:
    """Every reminder for ``deadline`` (aware), in time order, whatever the current time."""
    _require_aware(deadline, "deadline")
    deadline_day = calendar.local_date(deadline)
    planned: list[PlannedReminder] = []

    if policy.before_working_days > 0:
        day = calendar.subtract_working_days(deadline_day, policy.before_working_days)
        due = calendar.at(day, calendar.office_start)
        if due < deadline:
            planned.append(PlannedReminder(ReminderKind.BEFORE, due))

    if policy.deadline_morning is not None and calendar.is_working_day(deadline_day):
        # A morning time before office start is pushed to office start, but never past the
        # deadline itself nor onto another day: then there is nothing left to warn about.
        due = calendar.next_office_moment(calendar.at(deadline_day, policy.deadline_morning))
        if calendar.local_date(due) == deadline_day and due < deadline:
            planned.append(PlannedReminder(ReminderKind.DEADLINE_MORNING, due))

    # Overdue days are counted in working days after the deadline's *date*, so a deadline on
    # Friday 17:00 (or on a Saturday) is one working day overdue on Monday morning.
    day = deadline_day
    for overdue in range(1, policy.last_overdue_working_day + 1):
        day = calendar.next_working_day(day)
        kind = policy.overdue_kind(overdue)
        if kind is not None:
            planned.append(PlannedReminder(kind, calendar.at(day, calendar.office_start), overdue))

    return tuple(sorted(planned, key=lambda reminder: reminder.due_at))


def next_reminder(
    deadline: datetime, after: datetime, policy: ReminderPolicy, calendar: WorkCalendar
) -> PlannedReminder | None:
    """The first reminder due strictly after ``after`` (aware), or ``None`` when done.

    Reminders already due at ``after`` are skipped, e.g. the ``BEFORE`` reminder of an
    agreement made the day before its deadline.
    """
    _require_aware(after, "after")
    return next((r for r in schedule(deadline, policy, calendar) if r.due_at > after), None)


def plan_until(
    deadline: datetime,
    start: datetime,
    end: datetime,
    policy: ReminderPolicy,
    calendar: WorkCalendar,
) -> list[PlannedReminder]:
    """The reminders due in ``(start, end]`` (both aware), in order; for previews and tests."""
    _require_aware(start, "start")
    _require_aware(end, "end")
    return [r for r in schedule(deadline, policy, calendar) if start < r.due_at <= end]


def due_reminder(
    deadline: datetime,
    since: datetime,
    now: datetime,
    policy: ReminderPolicy,
    calendar: WorkCalendar,
) -> PlannedReminder | None:
    """The one reminder to deliver at ``now`` for the stored row that was due at ``since``.

    Normally that is the stored reminder itself. If the bot was down, every reminder due in
    ``[since, now]`` is collapsed into one: the highest-ranked kind among them (so a missed
    escalation is still sent), the latest ``overdue_working_days`` and the latest ``due_at``.
    ``None`` if nothing is due yet (``now`` before ``since``, or the schedule changed).
    """
    _require_aware(since, "since")
    _require_aware(now, "now")
    missed = [r for r in schedule(deadline, policy, calendar) if since <= r.due_at <= now]
    if not missed:
        return None
    strongest = max(missed, key=lambda reminder: reminder.kind.rank)
    latest = missed[-1]
    return PlannedReminder(strongest.kind, latest.due_at, latest.overdue_working_days)
