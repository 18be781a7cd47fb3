"""Working days, Dutch holidays, office hours and DST in the work calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from avz_bot.domain.workdays import DEFAULT_DAYS_OFF, WorkCalendar

AMS = ZoneInfo("Europe/Amsterdam")
CAL = WorkCalendar()


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def ams(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=AMS)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 11, 23), True),  # Monday
        (date(2026, 11, 27), True),  # Friday
        (date(2026, 11, 28), False),  # Saturday
        (date(2026, 11, 29), False),  # Sunday
        (date(2026, 12, 25), False),  # Eerste Kerstdag (Friday)
        (date(2026, 12, 26), False),  # Tweede Kerstdag (Saturday anyway)
        (date(2026, 12, 24), True),  # Kerstavond is a working day
        (date(2026, 12, 31), True),  # Oudejaarsdag too
        (date(2027, 1, 1), False),  # Nieuwjaarsdag
        (date(2026, 4, 3), False),  # Goede Vrijdag: included by the library's defaults
        (date(2026, 4, 6), False),  # Tweede Paasdag
        (date(2026, 4, 27), False),  # Koningsdag
        (date(2025, 4, 26), False),  # Koningsdag moves to the 26th when the 27th is a Sunday
        (date(2026, 5, 5), True),  # Bevrijdingsdag only counts in lustrum years...
        (date(2025, 5, 5), False),  # ...like 2025
        (date(2026, 5, 14), False),  # Hemelvaartsdag
        (date(2026, 5, 15), True),  # the Friday after is a normal working day
        (date(2026, 5, 25), False),  # Tweede Pinksterdag
    ],
)
def test_is_working_day(day: date, working: bool) -> None:
    assert CAL.is_working_day(day) is working


# Goede Vrijdag 2026 is Friday 3 April; 5 May 2026 (Tuesday) is not a lustrum year, 2025 is.
@pytest.mark.parametrize(
    ("days_off", "day", "working"),
    [
        (DEFAULT_DAYS_OFF, date(2026, 4, 3), False),
        (DEFAULT_DAYS_OFF - {"goede_vrijdag"}, date(2026, 4, 3), True),
        (DEFAULT_DAYS_OFF - {"goede_vrijdag"}, date(2026, 4, 6), False),  # Easter Monday stays
        (DEFAULT_DAYS_OFF, date(2026, 5, 5), True),
        (DEFAULT_DAYS_OFF | {"bevrijdingsdag"}, date(2026, 5, 5), False),
        (DEFAULT_DAYS_OFF | {"bevrijdingsdag"}, date(2027, 5, 5), False),
        (DEFAULT_DAYS_OFF - {"bevrijdingsdag_lustrum"}, date(2025, 5, 5), True),
        (frozenset(), date(2026, 12, 25), True),  # no holidays at all: only weekends off
        (frozenset({"eerste_kerstdag"}), date(2026, 12, 25), False),
    ],
)
def test_which_holidays_are_days_off_is_configurable(
    days_off: frozenset[str], day: date, working: bool
) -> None:
    assert WorkCalendar(days_off=days_off).is_working_day(day) is working


def test_goede_vrijdag_switch_moves_working_day_counts() -> None:
    # Thursday 2 April 2026 + 1 working day: Tuesday 7 April by default (Good Friday and
    # Easter Monday off), Friday 3 April where Goede Vrijdag is a working day.
    assert CAL.add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)
    working_friday = WorkCalendar(days_off=DEFAULT_DAYS_OFF - {"goede_vrijdag"})
    assert working_friday.add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 3)


def test_unknown_holiday_key_is_refused() -> None:
    with pytest.raises(ValueError, match="goede_vrijdg"):
        WorkCalendar(days_off=frozenset({"goede_vrijdg"}))


def test_holiday_names_are_dutch_by_default() -> None:
    assert CAL.holiday_name(date(2026, 12, 26)) == "Tweede kerstdag"
    assert CAL.holiday_name(date(2026, 11, 23)) is None


def test_extra_closed_days() -> None:
    cal = WorkCalendar(extra_closed_days=frozenset({date(2026, 5, 5)}))
    assert not cal.is_working_day(date(2026, 5, 5))
    assert cal.next_working_day(date(2026, 5, 4)) == date(2026, 5, 6)


@pytest.mark.parametrize(
    ("day", "include_today", "expected"),
    [
        (date(2026, 11, 23), False, date(2026, 11, 24)),
        (date(2026, 11, 23), True, date(2026, 11, 23)),
        (date(2026, 11, 27), False, date(2026, 11, 30)),  # Friday -> Monday
        (date(2026, 11, 28), True, date(2026, 11, 30)),  # Saturday -> Monday
        (date(2026, 12, 24), False, date(2026, 12, 28)),  # over Christmas and the weekend
        (date(2026, 12, 31), False, date(2027, 1, 4)),  # over New Year and the weekend
        (date(2026, 4, 2), False, date(2026, 4, 7)),  # over Easter
        (date(2026, 5, 13), False, date(2026, 5, 15)),  # over Hemelvaart
    ],
)
def test_next_working_day(day: date, include_today: bool, expected: date) -> None:
    assert CAL.next_working_day(day, include_today=include_today) == expected


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (date(2026, 11, 23), 0, date(2026, 11, 23)),
        (date(2026, 11, 28), 0, date(2026, 11, 30)),  # n=0 on a Saturday: next working day
        (date(2026, 11, 23), 1, date(2026, 11, 24)),
        (date(2026, 11, 23), 5, date(2026, 11, 30)),
        (date(2026, 11, 28), 1, date(2026, 11, 30)),  # Saturday + 1 = Monday
        (date(2026, 12, 23), 3, date(2026, 12, 29)),  # 24, (25-27 closed), 28, 29
        (date(2026, 4, 24), 1, date(2026, 4, 28)),  # Friday + 1 over Koningsdag Monday
        (date(2026, 5, 22), 1, date(2026, 5, 26)),  # over Pinkstermaandag
    ],
)
def test_add_working_days(day: date, n: int, expected: date) -> None:
    assert CAL.add_working_days(day, n) == expected


def test_add_working_days_rejects_negative() -> None:
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2026, 11, 23), -1)
    with pytest.raises(ValueError):
        CAL.subtract_working_days(date(2026, 11, 23), -1)


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (date(2026, 11, 30), 1, date(2026, 11, 27)),  # Monday - 1 = Friday
        (date(2026, 11, 29), 2, date(2026, 11, 26)),  # Sunday - 2 = Thursday
        (date(2026, 11, 29), 0, date(2026, 11, 27)),
        (date(2026, 12, 28), 1, date(2026, 12, 24)),  # back over Christmas
        (date(2026, 4, 7), 1, date(2026, 4, 2)),  # back over Easter Monday and Good Friday
    ],
)
def test_subtract_working_days(day: date, n: int, expected: date) -> None:
    assert CAL.subtract_working_days(day, n) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 11, 23), date(2026, 11, 23), 0),
        (date(2026, 11, 23), date(2026, 11, 24), 1),
        (date(2026, 11, 27), date(2026, 11, 30), 1),  # Friday -> Monday
        (date(2026, 11, 28), date(2026, 11, 30), 1),  # Saturday -> Monday
        (date(2026, 12, 24), date(2027, 1, 4), 5),  # 28-31 December and 4 January
        (date(2026, 11, 30), date(2026, 11, 27), -1),  # backwards is negative
    ],
)
def test_working_days_between(start: date, end: date, expected: int) -> None:
    # Cross-check the table against a day-by-day count of the definition.
    explicit = sum(
        1
        for offset in range(1, (end - start).days + 1)
        if CAL.is_working_day(start + timedelta(days=offset))
    )
    if end >= start:
        assert CAL.working_days_between(start, end) == explicit
    assert CAL.working_days_between(start, end) == expected


@given(
    st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(min_value=0, max_value=60),
)
def test_add_and_count_are_inverse(day: date, n: int) -> None:
    later = CAL.add_working_days(day, n)
    assert CAL.is_working_day(later)
    if n > 0:
        assert CAL.working_days_between(day, later) == n
        # Going back lands on ``day``, or on the working day before it if it is a day off.
        back = CAL.subtract_working_days(later, n)
        assert back == CAL.previous_working_day(day, include_today=True)


# -- instants and DST ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "wall", "expected_utc"),
    [
        (date(2026, 3, 27), time(9, 0), utc(2026, 3, 27, 8)),  # CET, UTC+1
        (date(2026, 3, 30), time(9, 0), utc(2026, 3, 30, 7)),  # CEST, UTC+2
        (date(2026, 10, 23), time(9, 0), utc(2026, 10, 23, 7)),  # still CEST
        (date(2026, 10, 26), time(9, 0), utc(2026, 10, 26, 8)),  # back to CET
        # The spring-forward gap: 02:30 does not exist on 29 March; it moves forward to 03:30.
        (date(2026, 3, 29), time(2, 30), utc(2026, 3, 29, 1, 30)),
        # The autumn fall-back hour: 02:30 happens twice on 25 October; the first (CEST) wins.
        (date(2026, 10, 25), time(2, 30), utc(2026, 10, 25, 0, 30)),
        (date(2026, 10, 25), time(3, 30), utc(2026, 10, 25, 2, 30)),
    ],
)
def test_at_handles_dst(day: date, wall: time, expected_utc: datetime) -> None:
    result = CAL.at(day, wall)
    assert result == expected_utc
    assert result.tzinfo is UTC


def test_gap_time_reads_back_one_hour_later() -> None:
    local = CAL.local(CAL.at(date(2026, 3, 29), time(2, 30)))
    assert (local.hour, local.minute) == (3, 30)


def test_at_rejects_aware_time() -> None:
    with pytest.raises(ValueError):
        CAL.at(date(2026, 3, 27), time(9, 0, tzinfo=UTC))


def test_local_rejects_naive() -> None:
    with pytest.raises(ValueError):
        CAL.local(datetime(2026, 3, 27, 9, 0))


def test_local_converts_to_amsterdam() -> None:
    local = CAL.local(utc(2026, 7, 1, 10))
    assert local.tzinfo == AMS
    assert (local.hour, local.utcoffset()) == (12, timedelta(hours=2))


@pytest.mark.parametrize(
    ("start", "n", "expected_utc"),
    [
        # Friday 27 March 09:00 CET + 1 working day = Monday 30 March 09:00 CEST.
        (date(2026, 3, 27), 1, utc(2026, 3, 30, 7)),
        # Friday 23 October 09:00 CEST + 1 working day = Monday 26 October 09:00 CET.
        (date(2026, 10, 23), 1, utc(2026, 10, 26, 8)),
    ],
)
def test_adding_working_days_across_dst_keeps_wall_clock(
    start: date, n: int, expected_utc: datetime
) -> None:
    before = CAL.at(start, time(9, 0))
    after = CAL.at(CAL.add_working_days(CAL.local_date(before), n), time(9, 0))
    assert after == expected_utc
    assert CAL.local(after).time() == time(9, 0)
    assert after - before != timedelta(days=3)  # the naive UTC shift would be wrong


@pytest.mark.parametrize(
    ("instant", "office"),
    [
        (ams(2026, 11, 23, 8, 29), False),
        (ams(2026, 11, 23, 8, 30), True),
        (ams(2026, 11, 23, 17, 29), True),
        (ams(2026, 11, 23, 17, 30), False),
        (ams(2026, 11, 28, 10, 0), False),  # Saturday
        (ams(2026, 12, 25, 10, 0), False),  # Christmas
        (utc(2026, 3, 30, 6, 30), True),  # 08:30 CEST
        (utc(2026, 3, 27, 7, 0), False),  # 08:00 CET
    ],
)
def test_is_office_time(instant: datetime, office: bool) -> None:
    assert CAL.is_office_time(instant) is office


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (ams(2026, 11, 23, 10, 0), ams(2026, 11, 23, 10, 0)),  # already in office time
        (ams(2026, 11, 23, 7, 0), ams(2026, 11, 23, 8, 30)),  # early: today's start
        (ams(2026, 11, 23, 18, 0), ams(2026, 11, 24, 8, 30)),  # late: tomorrow's start
        (ams(2026, 11, 27, 17, 45), ams(2026, 11, 30, 8, 30)),  # Friday evening -> Monday
        (ams(2026, 11, 28, 12, 0), ams(2026, 11, 30, 8, 30)),  # Saturday -> Monday
        (ams(2026, 12, 24, 18, 0), ams(2026, 12, 28, 8, 30)),  # over Christmas
        (ams(2026, 3, 27, 18, 0), ams(2026, 3, 30, 8, 30)),  # over the spring DST change
        (ams(2026, 10, 23, 18, 0), ams(2026, 10, 26, 8, 30)),  # over the autumn DST change
    ],
)
def test_next_office_moment(instant: datetime, expected: datetime) -> None:
    result = CAL.next_office_moment(instant)
    assert result == expected
    assert result.tzinfo is UTC


@given(st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31)))
def test_next_office_moment_is_office_time_and_not_earlier(naive: datetime) -> None:
    instant = naive.replace(tzinfo=UTC)
    result = CAL.next_office_moment(instant)
    assert result >= instant
    assert CAL.is_office_time(result)


def test_calendar_validates_office_hours() -> None:
    with pytest.raises(ValueError):
        WorkCalendar(office_start=time(18, 0), office_end=time(9, 0))
    with pytest.raises(ValueError):
        WorkCalendar(end_of_day=time(17, 0, tzinfo=UTC))


# -- working-time clocks ---------------------------------------------------------------------

_AMS = ZoneInfo("Europe/Amsterdam")


def _l(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """An Amsterdam wall-clock instant (aware)."""
    return datetime(year, month, day, hour, minute, tzinfo=_AMS)


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        # within one day
        (_l(2026, 11, 30, 10), 4, _l(2026, 11, 30, 14)),
        # the whole office day (9 h) carries over to the same time the next day
        (_l(2026, 11, 30, 10), 9, _l(2026, 12, 1, 10)),
        # Friday 17:15: a quarter of an hour left, the rest on Monday morning
        (_l(2026, 11, 27, 17, 15), 1, _l(2026, 11, 30, 9, 15)),
        # Friday evening: counting starts on Monday at office start
        (_l(2026, 11, 27, 17, 45), 1, _l(2026, 11, 30, 9, 30)),
        # before office start: counting starts at 08:30
        (_l(2026, 11, 30, 6, 0), 1, _l(2026, 11, 30, 9, 30)),
        # zero hours at the weekend: the next office moment
        (_l(2026, 11, 28, 12), 0, _l(2026, 11, 30, 8, 30)),
        # Easter: Goede Vrijdag and Tweede Paasdag are holidays
        (_l(2026, 4, 2, 16, 30), 2, _l(2026, 4, 7, 9, 30)),
        # Christmas on Friday: Monday 28 December
        (_l(2026, 12, 24, 17), 1, _l(2026, 12, 28, 9)),
        # summer time begins on Sunday 29 March 2026: Monday counts in CEST
        (_l(2026, 3, 27, 16, 30), 2, _l(2026, 3, 30, 9, 30)),
        # summer time ends on Sunday 25 October 2026: Monday counts in CET
        (_l(2026, 10, 23, 16, 30), 2, _l(2026, 10, 26, 9, 30)),
    ],
)
def test_add_working_hours(start: datetime, hours: float, expected: datetime) -> None:
    result = CAL.add_working_hours(start, hours)
    assert result == expected
    assert result.tzinfo is UTC
    # and the count back gives the same number of hours
    assert CAL.working_hours_between(start, result) == pytest.approx(hours)


def test_dst_examples_are_real_utc_offsets() -> None:
    # the same local 09:30 is 07:30 UTC in summer time and 08:30 UTC in winter time
    assert CAL.add_working_hours(_l(2026, 3, 27, 16, 30), 2) == datetime(
        2026, 3, 30, 7, 30, tzinfo=UTC
    )
    assert CAL.add_working_hours(_l(2026, 10, 23, 16, 30), 2) == datetime(
        2026, 10, 26, 8, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        (_l(2026, 11, 27, 17, 15), _l(2026, 11, 30, 9, 15), 1.0),
        (_l(2026, 11, 28, 10), _l(2026, 11, 29, 10), 0.0),  # a weekend counts nothing
        (_l(2026, 11, 30, 12), _l(2026, 11, 30, 11), 0.0),  # end before start
        (_l(2026, 11, 30, 8, 30), _l(2026, 12, 5, 0), 45.0),  # a working week
    ],
)
def test_working_hours_between(start: datetime, end: datetime, hours: float) -> None:
    assert CAL.working_hours_between(start, end) == pytest.approx(hours)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (_l(2026, 11, 30, 10), 2, _l(2026, 12, 2, 10)),
        # a request on Saturday counts from Monday at office start
        (_l(2026, 11, 28, 12), 2, _l(2026, 12, 2, 8, 30)),
        # Friday evening: Monday 08:30 is the start, one working day later is Tuesday
        (_l(2026, 11, 27, 18), 1, _l(2026, 12, 1, 8, 30)),
        # across the end of summer time: the same wall-clock time, not the same UTC time
        (_l(2026, 10, 23, 10), 1, _l(2026, 10, 26, 10)),
        # across Koningsdag (Monday 27 April 2026)
        (_l(2026, 4, 24, 11), 1, _l(2026, 4, 28, 11)),
    ],
)
def test_add_working_days_at(start: datetime, days: int, expected: datetime) -> None:
    assert CAL.add_working_days_at(start, days) == expected


def test_working_time_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="aware"):
        CAL.add_working_hours(datetime(2026, 11, 30, 10), 1)
    with pytest.raises(ValueError, match=">= 0"):
        CAL.add_working_hours(_l(2026, 11, 30, 10), -1)
    with pytest.raises(ValueError, match=">= 0"):
        CAL.add_working_days_at(_l(2026, 11, 30, 10), -1)
