"""Escalation clocks: acknowledgement and decision timeouts in working time (or real time
for urgent escalations), and what a clock does when it fires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum

from avz_bot.domain.escalations.events import (
    AckReminder,
    DecisionOverdue,
    DecisionReminder,
    LastLevelUnacknowledged,
)
from avz_bot.domain.escalations.model import (
    EscalationState,
    EscalationStatus,
    FrozenLevel,
    next_level,
)
from avz_bot.domain.escalations.states import Transition, move_to
from avz_bot.domain.workdays import WorkCalendar

# ---------------------------------------------------------------- clocks


class ClockStage(StrEnum):
    """Which step a clock job takes when it fires."""

    ACK_REMINDER = "ack_reminder"
    ACK_ESCALATE = "ack_escalate"
    DECISION_REMINDER = "decision_reminder"
    DECISION_OVERDUE = "decision_overdue"


def ack_deadline(
    level: FrozenLevel, urgent: bool, start: datetime, calendar: WorkCalendar
) -> datetime:
    """When the acknowledgement timeout (started at ``start``) passes, UTC.

    Working hours on working days (:meth:`WorkCalendar.add_working_hours`); urgent:
    ``urgent_ack_minutes`` of real time.
    """
    if urgent:
        # Real time: add in UTC (aware local arithmetic would add wall-clock time).
        return start.astimezone(UTC) + timedelta(minutes=level.policy.urgent_ack_minutes)
    return calendar.add_working_hours(start, level.policy.ack_working_hours)


def decision_deadline(
    level: FrozenLevel, urgent: bool, start: datetime, calendar: WorkCalendar
) -> datetime:
    """When the decision timeout (started at acknowledgement ``start``) passes, UTC.

    Working days at the same office time (:meth:`WorkCalendar.add_working_days_at`);
    urgent: ``urgent_decision_hours`` of real time.
    """
    if urgent:
        return start.astimezone(UTC) + timedelta(hours=level.policy.urgent_decision_hours)
    return calendar.add_working_days_at(start, level.policy.decision_working_days)


def clock_fired(
    state: EscalationState, stage: ClockStage, level: int, now: datetime
) -> Transition | None:
    """A clock job fired: what happens, or None when it is stale (state moved on).

    ``level`` is the level the clock was armed for: a clock of an earlier level, an
    acknowledgement clock after the acknowledgement, or any clock of a closed escalation
    does nothing.
    """
    if state.is_closed or level != state.level:
        return None
    waiting = state.status is EscalationStatus.AANGEVRAAGD
    if stage is ClockStage.ACK_REMINDER and waiting:
        return Transition(state, (AckReminder(now, None, level),))
    if stage is ClockStage.ACK_ESCALATE and waiting:
        target = next_level(state.levels, state.level)
        if target is None:
            return Transition(state, (LastLevelUnacknowledged(now, None, level),))
        return move_to(state, target, None, None, now, automatic=True)
    acknowledger = state.acknowledged_by
    if acknowledger is None:
        return None
    if stage is ClockStage.DECISION_REMINDER:
        return Transition(state, (DecisionReminder(now, None, level, acknowledger),))
    if stage is ClockStage.DECISION_OVERDUE:
        return Transition(state, (DecisionOverdue(now, None, level, acknowledger),))
    return None


def clock_plan(
    state: EscalationState, since: datetime, calendar: WorkCalendar
) -> list[tuple[ClockStage, datetime]]:
    """The clock jobs to arm after a transition: ``(stage, due)`` in order (UTC).

    Waiting for an acknowledgement: reminder at the timeout, next level after the same
    time again. Acknowledged: decision reminder at the decision timeout, the coordination
    room after the same time again. Closed: nothing.
    """
    if state.is_closed:
        return []
    level = state.current
    if state.status is EscalationStatus.AANGEVRAAGD:
        first = ack_deadline(level, state.urgent, since, calendar)
        return [
            (ClockStage.ACK_REMINDER, first),
            (ClockStage.ACK_ESCALATE, ack_deadline(level, state.urgent, first, calendar)),
        ]
    first = decision_deadline(level, state.urgent, since, calendar)
    return [
        (ClockStage.DECISION_REMINDER, first),
        (ClockStage.DECISION_OVERDUE, decision_deadline(level, state.urgent, first, calendar)),
    ]
