"""The privacy area's pure rules: the legal deadline in calendar months, its extension,
the reminder moments across a weekend and a DST change, and the permission table."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from avz_bot.domain.partners import Member, Organisation, OrgDomain, Role
from avz_bot.domain.privacy.permissions import PrivacyAction, PrivacyActor, actors_for, allowed
from avz_bot.domain.privacy.requests import (
    RequestStatus,
    add_months,
    answer_due,
    check_extension,
    latest_extension,
)
from avz_bot.domain.workdays import WorkCalendar
from avz_bot.services.privacy.persisting import reminder_moments
from avz_bot.settings_sections.privacy import PrivacySettings
from storage.privacy_repositories import PrivacyRequestRow


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 1, 15), date(2026, 2, 15)),
        (date(2026, 1, 31), date(2026, 2, 28)),  # no 31 February: the last day
        (date(2028, 1, 31), date(2028, 2, 29)),  # leap year
        (date(2026, 12, 8), date(2027, 1, 8)),  # over the year's end
        (date(2026, 3, 31), date(2026, 4, 30)),
        (date(2026, 9, 26), date(2026, 10, 26)),  # a Saturday; due on the Monday
    ],
)
def test_answer_is_due_one_calendar_month_after_receipt(received: date, due: date) -> None:
    assert answer_due(received) == due
    assert latest_extension(received) == add_months(received, 3)


def test_extension_rules() -> None:
    received = date(2026, 1, 31)
    due = answer_due(received)  # 28 February
    ok = check_extension(received, due, date(2026, 4, 30), date(2026, 2, 10), RequestStatus.OPEN)
    assert ok is None
    late = check_extension(received, due, date(2026, 5, 1), date(2026, 2, 10), RequestStatus.OPEN)
    assert late is not None and late.code == "too_late"
    lapsed = check_extension(received, due, date(2026, 4, 1), date(2026, 3, 1), RequestStatus.OPEN)
    assert lapsed is not None and lapsed.code == "lapsed"
    earlier = check_extension(
        received, due, date(2026, 2, 20), date(2026, 2, 1), RequestStatus.OPEN
    )
    assert earlier is not None and earlier.code == "not_later"
    closed = check_extension(
        received, due, date(2026, 4, 1), date(2026, 2, 1), RequestStatus.AFGEROND
    )
    assert closed is not None and closed.code == "closed"


def _row(received: date) -> PrivacyRequestRow:
    return PrivacyRequestRow(
        1, received.year, 1, "inzage", "open", {"all": []}, received, answer_due(received),
        None, "@priva:avz.test", datetime(2026, 9, 26, tzinfo=UTC), None, {},
    )  # fmt: skip


def test_reminders_cross_a_weekend_and_the_end_of_summer_time() -> None:
    """Due Monday 26 October 2026, the day after summer time ends: the reminder one
    working day before is on Friday 23 October at 09:00 CEST (07:00 UTC), the lapse notice
    on Tuesday 27 October at 09:00 CET (08:00 UTC) — the same wall-clock time."""
    moments = reminder_moments(_row(date(2026, 9, 26)), WorkCalendar(), PrivacySettings())
    assert moments == [
        ("before5", datetime(2026, 10, 19, 7, 0, tzinfo=UTC), False),
        ("before1", datetime(2026, 10, 23, 7, 0, tzinfo=UTC), False),
        ("lapsed", datetime(2026, 10, 27, 8, 0, tzinfo=UTC), True),
    ]


def test_reminders_skip_public_holidays() -> None:
    # Received 27 November: due Sunday 27 December 2026; the working day before is
    # Thursday 24 December (25 and 26 December are holidays); lapsed on Monday 28.
    moments = reminder_moments(_row(date(2026, 11, 27)), WorkCalendar(), PrivacySettings())
    assert [(s, m.date()) for s, m, _ in moments] == [
        ("before5", date(2026, 12, 18)),
        ("before1", date(2026, 12, 24)),
        ("lapsed", date(2026, 12, 28)),
    ]


ORG = Organisation("avz", "AVZ", OrgDomain.VEILIGHEID)


@pytest.mark.parametrize(
    ("roles", "member_of_case", "case_readers", "person_readers"),
    [
        ({Role.PRIVACY}, False, True, True),
        ({Role.KETENMANAGER}, True, True, False),
        ({Role.KETENMANAGER}, False, False, False),
        ({Role.PROFESSIONAL}, True, False, False),
        ({Role.ADMIN}, True, False, False),
    ],
)
def test_permission_table(
    roles: set[Role], member_of_case: bool, case_readers: bool, person_readers: bool
) -> None:
    member = Member("@x:avz.test", "X", ORG, frozenset(roles))
    actors = actors_for(member, member_of_case=member_of_case)
    assert allowed(PrivacyAction.CASE_READERS, actors) is case_readers
    assert allowed(PrivacyAction.PERSON_READERS, actors) is person_readers
    assert allowed(PrivacyAction.REQUEST_EXPORT, actors) is (PrivacyActor.PRIVACY in actors)
