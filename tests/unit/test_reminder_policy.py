"""The reminder policy for agreements with a deadline: exact sequences with a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from avz_bot.domain.agreements.reminders import (
    PlannedReminder,
    ReminderKind,
    ReminderPolicy,
    due_reminder,
    next_reminder,
    plan_until,
    schedule,
)
from avz_bot.domain.workdays import WorkCalendar

AMS = ZoneInfo("Europe/Amsterdam")
CAL = WorkCalendar()
POLICY = ReminderPolicy()
K = ReminderKind


def ams(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    """An Amsterdam wall-clock moment as an aware UTC instant."""
    return datetime(y, mo, d, h, mi, tzinfo=AMS).astimezone(UTC)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def r(kind: ReminderKind, due_at: datetime, overdue: int = 0) -> PlannedReminder:
    return PlannedReminder(kind, due_at, overdue)


FAR_PAST = utc(2000, 1, 1)
FAR_FUTURE = utc(2100, 1, 1)

# Friday 27 November 2026, 17:00: an ordinary week, then overdue over two weekends.
FRIDAY_DEADLINE = ams(2026, 11, 27, 17)
FRIDAY_SEQUENCE = [
    r(K.BEFORE, ams(2026, 11, 25, 8, 30)),  # Wednesday: two working days before
    r(K.DEADLINE_MORNING, ams(2026, 11, 27, 9)),
    r(K.OVERDUE, ams(2026, 11, 30, 8, 30), 1),  # Monday morning, not Saturday
    r(K.OVERDUE_REGIE, ams(2026, 12, 1, 8, 30), 2),
    r(K.OVERDUE, ams(2026, 12, 2, 8, 30), 3),
    r(K.OVERDUE, ams(2026, 12, 3, 8, 30), 4),
    r(K.OVERDUE_COORDINATION, ams(2026, 12, 4, 8, 30), 5),
    r(K.OVERDUE, ams(2026, 12, 7, 8, 30), 6),
    r(K.OVERDUE, ams(2026, 12, 8, 8, 30), 7),
    r(K.OVERDUE, ams(2026, 12, 9, 8, 30), 8),
    r(K.OVERDUE, ams(2026, 12, 10, 8, 30), 9),
    r(K.OVERDUE, ams(2026, 12, 11, 8, 30), 10),  # max_overdue_reminders: the last one
]


def test_full_sequence_for_a_friday_deadline() -> None:
    assert list(schedule(FRIDAY_DEADLINE, POLICY, CAL)) == FRIDAY_SEQUENCE


def test_friday_17_deadline_gives_monday_0830_overdue() -> None:
    after_deadline = FRIDAY_DEADLINE + timedelta(minutes=1)
    nxt = next_reminder(FRIDAY_DEADLINE, after_deadline, POLICY, CAL)
    assert nxt == r(K.OVERDUE, utc(2026, 11, 30, 7, 30), 1)  # 08:30 CET


def test_sequence_over_christmas_and_new_year() -> None:
    deadline = ams(2026, 12, 24, 17)  # Thursday before Christmas
    assert plan_until(deadline, FAR_PAST, ams(2027, 1, 5, 12), POLICY, CAL) == [
        r(K.BEFORE, ams(2026, 12, 22, 8, 30)),
        r(K.DEADLINE_MORNING, ams(2026, 12, 24, 9)),
        r(K.OVERDUE, ams(2026, 12, 28, 8, 30), 1),  # 25, 26 (and the weekend) closed
        r(K.OVERDUE_REGIE, ams(2026, 12, 29, 8, 30), 2),
        r(K.OVERDUE, ams(2026, 12, 30, 8, 30), 3),
        r(K.OVERDUE, ams(2026, 12, 31, 8, 30), 4),
        r(K.OVERDUE_COORDINATION, ams(2027, 1, 4, 8, 30), 5),  # 1 January closed
        r(K.OVERDUE, ams(2027, 1, 5, 8, 30), 6),
    ]


def test_sequence_over_spring_dst_and_easter() -> None:
    deadline = ams(2026, 3, 31, 17)  # Tuesday after the change to summer time
    assert plan_until(deadline, FAR_PAST, ams(2026, 4, 9, 12), POLICY, CAL) == [
        r(K.BEFORE, utc(2026, 3, 27, 7, 30)),  # Friday 08:30 CET
        r(K.DEADLINE_MORNING, utc(2026, 3, 31, 7)),  # 09:00 CEST
        r(K.OVERDUE, utc(2026, 4, 1, 6, 30), 1),  # 08:30 CEST
        r(K.OVERDUE_REGIE, utc(2026, 4, 2, 6, 30), 2),
        # Goede Vrijdag 3 April and Tweede Paasdag 6 April are skipped.
        r(K.OVERDUE, utc(2026, 4, 7, 6, 30), 3),
        r(K.OVERDUE, utc(2026, 4, 8, 6, 30), 4),
        r(K.OVERDUE_COORDINATION, utc(2026, 4, 9, 6, 30), 5),
    ]


def test_sequence_over_autumn_dst() -> None:
    deadline = ams(2026, 10, 23, 17)  # Friday before the change to winter time
    assert plan_until(deadline, FAR_PAST, ams(2026, 10, 27, 12), POLICY, CAL) == [
        r(K.BEFORE, utc(2026, 10, 21, 6, 30)),  # Wednesday 08:30 CEST
        r(K.DEADLINE_MORNING, utc(2026, 10, 23, 7)),  # 09:00 CEST
        r(K.OVERDUE, utc(2026, 10, 26, 7, 30), 1),  # Monday 08:30 CET
        r(K.OVERDUE_REGIE, utc(2026, 10, 27, 7, 30), 2),
    ]


def test_before_reminder_is_skipped_when_already_past() -> None:
    made_thursday = ams(2026, 11, 26, 10)
    assert next_reminder(FRIDAY_DEADLINE, made_thursday, POLICY, CAL) == FRIDAY_SEQUENCE[1]


def test_next_reminder_is_strictly_after() -> None:
    for previous, expected in pairwise(FRIDAY_SEQUENCE):
        assert next_reminder(FRIDAY_DEADLINE, previous.due_at, POLICY, CAL) == expected
    assert next_reminder(FRIDAY_DEADLINE, FRIDAY_SEQUENCE[-1].due_at, POLICY, CAL) is None


def test_walking_next_reminder_reproduces_the_schedule() -> None:
    # What the durable scheduler does: one row, replaced after each delivery.
    seen: list[PlannedReminder] = []
    after = ams(2026, 11, 23, 10)
    while (nxt := next_reminder(FRIDAY_DEADLINE, after, POLICY, CAL)) is not None:
        seen.append(nxt)
        after = nxt.due_at
    assert seen == FRIDAY_SEQUENCE


def test_plan_until_bounds_are_exclusive_then_inclusive() -> None:
    start, end = FRIDAY_SEQUENCE[2].due_at, FRIDAY_SEQUENCE[4].due_at
    assert plan_until(FRIDAY_DEADLINE, start, end, POLICY, CAL) == FRIDAY_SEQUENCE[3:5]


@pytest.mark.parametrize(
    ("deadline", "has_morning"),
    [
        (ams(2026, 11, 27, 9, 30), True),
        (ams(2026, 11, 27, 9, 0), False),  # the morning reminder must come before it
        (ams(2026, 11, 27, 8, 45), False),
        (ams(2026, 11, 28, 17), False),  # Saturday: no working morning
        (ams(2026, 12, 25, 17), False),  # Christmas
    ],
)
def test_deadline_morning_only_on_working_day_before_deadline(
    deadline: datetime, has_morning: bool
) -> None:
    kinds = [p.kind for p in schedule(deadline, POLICY, CAL)]
    assert (K.DEADLINE_MORNING in kinds) is has_morning


def test_saturday_deadline() -> None:
    deadline = ams(2026, 11, 28, 17)
    assert list(schedule(deadline, POLICY, CAL))[:3] == [
        r(K.BEFORE, ams(2026, 11, 26, 8, 30)),  # Thursday: Friday is one, Thursday two
        r(K.OVERDUE, ams(2026, 11, 30, 8, 30), 1),
        r(K.OVERDUE_REGIE, ams(2026, 12, 1, 8, 30), 2),
    ]


def test_deadline_before_office_start_is_overdue_from_the_next_working_day() -> None:
    deadline = ams(2026, 11, 24, 7)  # Tuesday 07:00
    reminders = schedule(deadline, POLICY, CAL)
    assert reminders[0] == r(K.BEFORE, ams(2026, 11, 20, 8, 30))  # Friday before
    assert reminders[1] == r(K.OVERDUE, ams(2026, 11, 25, 8, 30), 1)


def test_early_deadline_morning_is_moved_to_office_start() -> None:
    policy = ReminderPolicy(deadline_morning=time(7, 0))
    kinds = {p.kind: p.due_at for p in schedule(FRIDAY_DEADLINE, policy, CAL)}
    assert kinds[K.DEADLINE_MORNING] == ams(2026, 11, 27, 8, 30)


def test_only_first_overdue_and_escalations_when_not_daily() -> None:
    policy = ReminderPolicy(overdue_every_working_day=False)
    assert list(schedule(FRIDAY_DEADLINE, policy, CAL)) == [
        FRIDAY_SEQUENCE[0],
        FRIDAY_SEQUENCE[1],
        r(K.OVERDUE, ams(2026, 11, 30, 8, 30), 1),
        r(K.OVERDUE_REGIE, ams(2026, 12, 1, 8, 30), 2),
        r(K.OVERDUE_COORDINATION, ams(2026, 12, 4, 8, 30), 5),
    ]


def test_escalations_still_happen_after_daily_reminders_stop() -> None:
    policy = ReminderPolicy(
        max_overdue_reminders=1,
        notify_regie_after_working_days=3,
        notify_coordination_after_working_days=7,
    )
    overdue = [(p.kind, p.overdue_working_days) for p in schedule(FRIDAY_DEADLINE, policy, CAL)]
    assert overdue[2:] == [(K.OVERDUE, 1), (K.OVERDUE_REGIE, 3), (K.OVERDUE_COORDINATION, 7)]


def test_coordination_wins_when_both_escalations_fall_on_one_day() -> None:
    policy = ReminderPolicy(
        notify_regie_after_working_days=3, notify_coordination_after_working_days=3
    )
    kinds = [p.kind for p in schedule(FRIDAY_DEADLINE, policy, CAL) if p.overdue_working_days == 3]
    assert kinds == [K.OVERDUE_COORDINATION]


def test_everything_disabled_leaves_only_daily_overdue() -> None:
    policy = ReminderPolicy(
        before_working_days=0,
        deadline_morning=None,
        notify_regie_after_working_days=None,
        notify_coordination_after_working_days=None,
        max_overdue_reminders=2,
    )
    assert list(schedule(FRIDAY_DEADLINE, policy, CAL)) == [
        r(K.OVERDUE, ams(2026, 11, 30, 8, 30), 1),
        r(K.OVERDUE, ams(2026, 12, 1, 8, 30), 2),
    ]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"before_working_days": -1},
        {"max_overdue_reminders": -1},
        {"notify_regie_after_working_days": 0},
        {"notify_coordination_after_working_days": 0},
        {"deadline_morning": time(9, 0, tzinfo=UTC)},
    ],
)
def test_policy_validation(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        ReminderPolicy(**kwargs)  # type: ignore[arg-type]


def test_naive_datetimes_are_rejected() -> None:
    with pytest.raises(ValueError):
        schedule(datetime(2026, 11, 27, 17), POLICY, CAL)
    with pytest.raises(ValueError):
        next_reminder(FRIDAY_DEADLINE, datetime(2026, 11, 27, 17), POLICY, CAL)


# -- catching up after downtime --------------------------------------------------------------


def test_due_reminder_on_time_is_the_stored_one() -> None:
    stored = FRIDAY_SEQUENCE[2]
    assert due_reminder(FRIDAY_DEADLINE, stored.due_at, stored.due_at, POLICY, CAL) == stored
    later_that_day = stored.due_at + timedelta(hours=2)
    assert due_reminder(FRIDAY_DEADLINE, stored.due_at, later_that_day, POLICY, CAL) == stored


def test_due_reminder_collapses_missed_reminders_and_keeps_the_escalation() -> None:
    # Down from before Monday's reminder until Thursday 10:00: days 1-4 missed, day 2 was
    # the escalation to the regiehouder.
    stored = FRIDAY_SEQUENCE[2]
    collapsed = due_reminder(FRIDAY_DEADLINE, stored.due_at, ams(2026, 12, 3, 10), POLICY, CAL)
    assert collapsed == r(K.OVERDUE_REGIE, ams(2026, 12, 3, 8, 30), 4)


def test_due_reminder_before_due_is_none() -> None:
    stored = FRIDAY_SEQUENCE[2]
    early = stored.due_at - timedelta(minutes=1)
    assert due_reminder(FRIDAY_DEADLINE, stored.due_at, early, POLICY, CAL) is None


def test_kind_rank_orders_escalation() -> None:
    ranks = [kind.rank for kind in ReminderKind]
    assert ranks == sorted(ranks)
    assert K.OVERDUE_COORDINATION.rank > K.OVERDUE_REGIE.rank > K.OVERDUE.rank


# -- invariants ------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2029, 12, 31)),
)
def test_schedule_invariants(naive: datetime) -> None:
    deadline = naive.replace(tzinfo=UTC)
    deadline_day = CAL.local_date(deadline)
    reminders = schedule(deadline, POLICY, CAL)
    due_times = [p.due_at for p in reminders]
    assert due_times == sorted(due_times)
    assert len(set(due_times)) == len(due_times)
    for p in reminders:
        assert p.due_at.tzinfo is not None
        assert CAL.is_office_time(p.due_at)
        if p.kind in (K.BEFORE, K.DEADLINE_MORNING):
            assert p.due_at < deadline
            assert p.overdue_working_days == 0
        else:
            assert p.due_at > deadline
            assert CAL.local(p.due_at).time() == CAL.office_start
            assert p.overdue_working_days == CAL.working_days_between(
                deadline_day, CAL.local_date(p.due_at)
            )
    overdue_days = [p.overdue_working_days for p in reminders if p.overdue_working_days]
    assert overdue_days == list(range(1, POLICY.last_overdue_working_day + 1))
