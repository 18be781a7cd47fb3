"""Parsing Dutch date expressions and formatting dates: table-driven and property-based."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from avz_bot.domain.date_names import DUTCH_NAMES, DateNames, format_date, format_when
from avz_bot.domain.dates import (
    MAX_WHEN_LENGTH,
    ParsedWhen,
    WhenError,
    WhenErrorCode,
    parse_when,
)
from avz_bot.domain.workdays import WorkCalendar

AMS = ZoneInfo("Europe/Amsterdam")
CAL = WorkCalendar()
# Monday 23 November 2026, 10:00 in Amsterdam (09:00 UTC).
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=AMS).astimezone(UTC)

E = WhenErrorCode

# (text, expected): expected is (local wall-clock datetime in Amsterdam, has_time) or an error.
TABLE: list[tuple[str, tuple[datetime, bool] | WhenErrorCode]] = [
    # relative day words
    ("vandaag", (datetime(2026, 11, 23, 17, 0), False)),
    ("Morgen", (datetime(2026, 11, 24, 17, 0), False)),
    ("  OVERMORGEN  ", (datetime(2026, 11, 25, 17, 0), False)),
    # weekdays: the next such day; today (Monday) counts while the moment is still ahead
    ("maandag", (datetime(2026, 11, 23, 17, 0), False)),
    ("maandag 11:00", (datetime(2026, 11, 23, 11, 0), True)),
    ("maandag 9:00", (datetime(2026, 11, 30, 9, 0), True)),
    ("ma", (datetime(2026, 11, 23, 17, 0), False)),
    ("di", (datetime(2026, 11, 24, 17, 0), False)),
    ("wo", (datetime(2026, 11, 25, 17, 0), False)),
    ("do", (datetime(2026, 11, 26, 17, 0), False)),
    ("vr", (datetime(2026, 11, 27, 17, 0), False)),
    ("za", (datetime(2026, 11, 28, 17, 0), False)),
    ("zo", (datetime(2026, 11, 29, 17, 0), False)),
    ("vrijdag", (datetime(2026, 11, 27, 17, 0), False)),
    ("Vrijdag 9:30", (datetime(2026, 11, 27, 9, 30), True)),
    ("vrijdag   om 9.30", (datetime(2026, 11, 27, 9, 30), True)),
    ("uiterlijk vrijdag", (datetime(2026, 11, 27, 17, 0), False)),
    ("vrijdag a.s.", (datetime(2026, 11, 27, 17, 0), False)),
    ("zaterdag", (datetime(2026, 11, 28, 17, 0), False)),  # weekends are the caller's call
    # next week
    ("volgende week vrijdag", (datetime(2026, 12, 4, 17, 0), False)),
    ("vrijdag volgende week", (datetime(2026, 12, 4, 17, 0), False)),
    ("volgende week maandag 10:00", (datetime(2026, 11, 30, 10, 0), True)),
    ("volgende week", E.AMBIGUOUS),
    ("volgende vrijdag", E.AMBIGUOUS),
    ("einde van de week", (datetime(2026, 11, 27, 17, 0), False)),
    ("eind van de week", (datetime(2026, 11, 27, 17, 0), False)),
    ("eind volgende week", (datetime(2026, 12, 4, 17, 0), False)),
    # explicit dates
    ("1 december", (datetime(2026, 12, 1, 17, 0), False)),
    ("1 dec", (datetime(2026, 12, 1, 17, 0), False)),
    ("1 dec.", (datetime(2026, 12, 1, 17, 0), False)),
    ("1 december 2026", (datetime(2026, 12, 1, 17, 0), False)),
    ("1-12", (datetime(2026, 12, 1, 17, 0), False)),
    ("1-12-2026", (datetime(2026, 12, 1, 17, 0), False)),
    ("01/12/2026", (datetime(2026, 12, 1, 17, 0), False)),
    ("1.12.2026", (datetime(2026, 12, 1, 17, 0), False)),
    ("2026-12-01", (datetime(2026, 12, 1, 17, 0), False)),
    ("2026-12-01 14:00", (datetime(2026, 12, 1, 14, 0), True)),
    ("2026-12-01T14:00", (datetime(2026, 12, 1, 14, 0), True)),
    ("1 december om 10:00", (datetime(2026, 12, 1, 10, 0), True)),
    ("vrijdag 4 december", (datetime(2026, 12, 4, 17, 0), False)),
    ("maandag 4 december", E.AMBIGUOUS),  # 4 December 2026 is a Friday
    ("1/2", (datetime(2027, 2, 1, 17, 0), False)),  # day first, next occurrence
    ("1 november", (datetime(2027, 11, 1, 17, 0), False)),  # passed this year
    ("23 november", (datetime(2026, 11, 23, 17, 0), False)),  # today, still ahead
    ("23-11 09:00", (datetime(2027, 11, 23, 9, 0), True)),  # today, but that time passed
    ("25 december", (datetime(2026, 12, 25, 17, 0), False)),  # holidays allowed too
    ("29 februari", (datetime(2028, 2, 29, 17, 0), False)),  # next leap year
    ("31 februari", E.UNPARSEABLE),
    ("31-4-2027", E.UNPARSEABLE),
    ("1-11-2026", E.PAST),
    ("1-1-2035", E.TOO_FAR),
    # times
    ("14:00", (datetime(2026, 11, 23, 14, 0), True)),
    ("om 12", (datetime(2026, 11, 23, 12, 0), True)),
    ("14 uur", (datetime(2026, 11, 23, 14, 0), True)),
    ("9:00", E.PAST),
    ("25:00", E.UNPARSEABLE),
    ("morgen 14:00", (datetime(2026, 11, 24, 14, 0), True)),
    ("morgen om", E.UNPARSEABLE),
    # offsets
    ("over 3 werkdagen", (datetime(2026, 11, 26, 17, 0), False)),
    ("over 5 werkdagen", (datetime(2026, 11, 30, 17, 0), False)),  # over the weekend
    ("binnen twee werkdagen", (datetime(2026, 11, 25, 17, 0), False)),
    ("over 2 dagen", (datetime(2026, 11, 25, 17, 0), False)),
    ("over 2 dagen om 14:00", (datetime(2026, 11, 25, 14, 0), True)),
    ("over 2 weken", (datetime(2026, 12, 7, 17, 0), False)),
    ("over een week", (datetime(2026, 11, 30, 17, 0), False)),
    ("over een maand", (datetime(2026, 12, 23, 17, 0), False)),
    ("over 2 uur", (datetime(2026, 11, 23, 12, 0), True)),
    ("over een kwartier", (datetime(2026, 11, 23, 10, 15), True)),
    ("over een paar dagen", E.AMBIGUOUS),
    ("over 99999 dagen", E.TOO_FAR),
    # failures
    ("", E.EMPTY),
    ("   ", E.EMPTY),
    ("12", E.UNPARSEABLE),
    ("hallo", E.UNPARSEABLE),
    ("x" * (MAX_WHEN_LENGTH + 1), E.UNPARSEABLE),
    # word-only leftovers go to dateparser
    ("gisteren", E.PAST),
    ("december", E.AMBIGUOUS),
    # spoken clock times: twelve-hour, read within the working day (now is Monday 10:00)
    ("half tien", E.PAST),  # 09:30 today has passed: ask again, don't guess tomorrow
    ("morgen half tien", (datetime(2026, 11, 24, 9, 30), True)),
    ("vrijdag om half tien", (datetime(2026, 11, 27, 9, 30), True)),
    ("morgen kwart over negen", (datetime(2026, 11, 24, 9, 15), True)),
    ("kwart over negen", E.PAST),
    ("kwart voor drie", (datetime(2026, 11, 23, 14, 45), True)),
    ("om kwart voor 3", (datetime(2026, 11, 23, 14, 45), True)),
    ("half drie", (datetime(2026, 11, 23, 14, 30), True)),
    ("half zeven", (datetime(2026, 11, 23, 18, 30), True)),  # before 07:00 means evening
    ("morgen half een", (datetime(2026, 11, 24, 12, 30), True)),
    ("morgen kwart over twaalf", (datetime(2026, 11, 24, 12, 15), True)),
    ("morgen tien uur", (datetime(2026, 11, 24, 10, 0), True)),
    ("morgen om 4 uur", (datetime(2026, 11, 24, 16, 0), True)),
    ("morgen 16 uur", (datetime(2026, 11, 24, 16, 0), True)),
    ("half dertien", E.UNPARSEABLE),
    ("kwart over", E.UNPARSEABLE),
    # day parts (calendar defaults: ochtend 09:00, middag 14:00, avond 19:00)
    ("morgenochtend", (datetime(2026, 11, 24, 9, 0), True)),
    ("morgen ochtend", (datetime(2026, 11, 24, 9, 0), True)),
    ("morgenvroeg", (datetime(2026, 11, 24, 9, 0), True)),
    ("morgenmiddag", (datetime(2026, 11, 24, 14, 0), True)),
    ("morgenavond", (datetime(2026, 11, 24, 19, 0), True)),
    ("vanmiddag", (datetime(2026, 11, 23, 14, 0), True)),
    ("vanmiddag 16:00", (datetime(2026, 11, 23, 16, 0), True)),
    ("vanmiddag 4 uur", (datetime(2026, 11, 23, 16, 0), True)),
    ("vanmiddag om kwart over vier", (datetime(2026, 11, 23, 16, 15), True)),
    ("vanavond", (datetime(2026, 11, 23, 19, 0), True)),
    ("vanavond half acht", (datetime(2026, 11, 23, 19, 30), True)),
    ("vanochtend", E.PAST),
    ("vanmorgen", E.PAST),
    ("vrijdagmiddag", (datetime(2026, 11, 27, 14, 0), True)),
    ("vrijdag ochtend 8:00", (datetime(2026, 11, 27, 8, 0), True)),
    # month ends and week/month starts: working days, at end of day
    ("eind van de maand", (datetime(2026, 11, 30, 17, 0), False)),
    ("einde van de maand", (datetime(2026, 11, 30, 17, 0), False)),
    ("eind deze maand", (datetime(2026, 11, 30, 17, 0), False)),
    ("eind volgende maand", (datetime(2026, 12, 31, 17, 0), False)),
    ("eind van de maand 12:00", (datetime(2026, 11, 30, 12, 0), True)),
    ("begin volgende week", (datetime(2026, 11, 30, 17, 0), False)),
    ("begin van volgende week", (datetime(2026, 11, 30, 17, 0), False)),
    ("begin volgende maand", (datetime(2026, 12, 1, 17, 0), False)),
]

# (now in Amsterdam, text, expected local instant): month ends and holidays.
EDGE_TABLE: list[tuple[datetime, str, datetime]] = [
    # Sunday 31 January 2027 is no working day: the month's last is Friday the 29th.
    (datetime(2027, 1, 20, 9, 0), "eind van de maand", datetime(2027, 1, 29, 17, 0)),
    # ...and once that has passed, it is the end of February.
    (datetime(2027, 1, 29, 18, 0), "eind van de maand", datetime(2027, 2, 26, 17, 0)),
    # Tweede Paasdag (Monday 6 April 2026): next week begins on Tuesday.
    (datetime(2026, 4, 1, 9, 0), "begin volgende week", datetime(2026, 4, 7, 17, 0)),
    # New Year's Day (Friday 1 January 2027): next month begins on Monday the 4th.
    (datetime(2026, 12, 10, 9, 0), "begin volgende maand", datetime(2027, 1, 4, 17, 0)),
]


@pytest.mark.parametrize(("now", "text", "expected"), EDGE_TABLE)
def test_month_and_week_edges(now: datetime, text: str, expected: datetime) -> None:
    result = parse_when(text, now.replace(tzinfo=AMS), CAL)
    assert isinstance(result, ParsedWhen), result
    assert result.instant == expected.replace(tzinfo=AMS)


def test_day_part_times_are_configurable() -> None:
    cal = WorkCalendar(morning=time(8, 0), afternoon=time(13, 0), evening=time(20, 30))
    expected = {
        "morgenochtend": datetime(2026, 11, 24, 8, 0),
        "morgenmiddag": datetime(2026, 11, 24, 13, 0),
        "vanavond": datetime(2026, 11, 23, 20, 30),
    }
    for text, local in expected.items():
        result = parse_when(text, NOW, cal)
        assert isinstance(result, ParsedWhen), (text, result)
        assert result.instant == local.replace(tzinfo=AMS), text


@pytest.mark.parametrize(("text", "expected"), TABLE)
def test_parse_when_table(text: str, expected: tuple[datetime, bool] | WhenErrorCode) -> None:
    result = parse_when(text, NOW, CAL)
    if isinstance(expected, WhenErrorCode):
        assert isinstance(result, WhenError), result
        assert result.code is expected
        assert result.source == text
        return
    assert isinstance(result, ParsedWhen), result
    local_expected, has_time = expected
    assert result.instant.tzinfo is UTC
    assert result.instant == local_expected.replace(tzinfo=AMS)
    assert result.has_time is has_time
    assert result.source == text


def test_table_is_large_enough() -> None:
    assert len(TABLE) >= 40


def at_ams(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=AMS).astimezone(UTC)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


# (now, text, expected UTC instant): around the DST changes (29 March and 25 October 2026)
# and Christmas.
DST_TABLE: list[tuple[datetime, str, datetime]] = [
    # Friday 27 March 10:00 CET: Monday is in summer time, 09:00 CEST is 07:00 UTC.
    (at_ams(2026, 3, 27, 10), "maandag 9:00", utc(2026, 3, 30, 7)),
    (at_ams(2026, 3, 27, 10), "over 1 werkdag", utc(2026, 3, 30, 15)),
    (at_ams(2026, 3, 27, 10), "over 3 dagen", utc(2026, 3, 30, 15)),
    (at_ams(2026, 3, 27, 10), "morgen", utc(2026, 3, 28, 16)),  # still CET on Saturday
    # 02:30 does not exist on 29 March: it moves forward to 03:30 CEST.
    (at_ams(2026, 3, 27, 10), "29 maart 2:30", utc(2026, 3, 29, 1, 30)),
    # Elapsed hours, not wall-clock hours: 23:30 CET + 4 h is 04:30 CEST.
    (at_ams(2026, 3, 28, 23, 30), "over 4 uur", utc(2026, 3, 29, 2, 30)),
    # Friday 23 October 10:00 CEST: Monday is in winter time, 09:00 CET is 08:00 UTC.
    (at_ams(2026, 10, 23, 10), "maandag 9:00", utc(2026, 10, 26, 8)),
    (at_ams(2026, 10, 23, 10), "volgende week maandag", utc(2026, 10, 26, 16)),
    # 02:30 happens twice on 25 October: the first one (CEST) is meant.
    (at_ams(2026, 10, 23, 10), "25 oktober 2:30", utc(2026, 10, 25, 0, 30)),
    # Wednesday 23 December: 24 (1), 25-27 closed, 28 (2), 29 (3).
    (at_ams(2026, 12, 23, 10), "over 3 werkdagen", utc(2026, 12, 29, 16)),
    # Thursday 31 December: New Year and the weekend are skipped.
    (at_ams(2026, 12, 31, 10), "over 1 werkdag", utc(2027, 1, 4, 16)),
]


@pytest.mark.parametrize(("now", "text", "expected"), DST_TABLE)
def test_parse_when_across_dst_and_holidays(now: datetime, text: str, expected: datetime) -> None:
    result = parse_when(text, now, CAL)
    assert isinstance(result, ParsedWhen), result
    assert result.instant == expected


def test_weekday_on_that_weekday_after_end_of_day_is_next_week() -> None:
    monday_evening = at_ams(2026, 11, 23, 18)
    result = parse_when("maandag", monday_evening, CAL)
    assert isinstance(result, ParsedWhen)
    assert result.instant == at_ams(2026, 11, 30, 17)


def test_vandaag_after_end_of_day_is_past() -> None:
    result = parse_when("vandaag", at_ams(2026, 11, 23, 18), CAL)
    assert isinstance(result, WhenError)
    assert result.code is E.PAST


def test_max_ahead_is_configurable() -> None:
    result = parse_when("over 3 weken", NOW, CAL, max_ahead=timedelta(days=14))
    assert isinstance(result, WhenError)
    assert result.code is E.TOO_FAR


def test_fallback_can_be_disabled() -> None:
    result = parse_when("gisteren", NOW, CAL, fallback=False)
    assert isinstance(result, WhenError)
    assert result.code is E.UNPARSEABLE


def test_end_of_day_follows_the_calendar() -> None:
    result = parse_when("morgen", NOW, WorkCalendar(end_of_day=CAL.office_end))
    assert isinstance(result, ParsedWhen)
    assert result.instant == at_ams(2026, 11, 24, 17, 30)


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        parse_when("morgen", datetime(2026, 11, 23, 10, 0), CAL)


_VOCABULARY = [
    "om",
    "op",
    "over",
    "in",
    "binnen",
    "een",
    "twee",
    "volgende",
    "week",
    "weken",
    "dagen",
    "werkdagen",
    "maand",
    "uur",
    "eind",
    "van",
    "de",
    "vrijdag",
    "ma",
    "zo",
    "morgen",
    "vandaag",
    "december",
    "feb",
    "1",
    "31",
    "29",
    "2026",
    "0",
    "99",
    "14:00",
    "9.30",
    "24:61",
    "1-12",
    "31/02",
    "2026-02-30",
    "-",
    "/",
    ".",
    ":",
    "a.s.",
]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_parse_when_never_raises_on_arbitrary_text(text: str) -> None:
    result = parse_when(text, NOW, CAL)
    if isinstance(result, ParsedWhen):
        assert result.instant > NOW
        assert result.instant.tzinfo is UTC
    else:
        assert isinstance(result.code, WhenErrorCode)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_VOCABULARY), max_size=6).map(" ".join))
def test_parse_when_never_raises_on_vocabulary_soup(text: str) -> None:
    # Random combinations of real tokens reach much deeper into the grammar than random text.
    result = parse_when(text, NOW, CAL)
    if isinstance(result, ParsedWhen):
        assert NOW < result.instant <= NOW + timedelta(days=5 * 366)


# -- formatting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "with_time", "expected"),
    [
        (utc(2026, 11, 27, 16), True, "vrijdag 27 november 2026, 17:00"),
        (utc(2026, 11, 27, 16), False, "vrijdag 27 november 2026"),
        (utc(2026, 7, 1, 7, 5), True, "woensdag 1 juli 2026, 09:05"),  # CEST
        (utc(2026, 12, 31, 23, 30), True, "vrijdag 1 januari 2027, 00:30"),  # local date
        (utc(2026, 3, 29, 1, 30), True, "zondag 29 maart 2026, 03:30"),  # just after the gap
    ],
)
def test_format_when(instant: datetime, with_time: bool, expected: str) -> None:
    assert format_when(instant, CAL, with_time=with_time) == expected


def test_format_when_with_other_names() -> None:
    english = DateNames(
        weekdays=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        months=(
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ),
    )
    assert format_when(utc(2026, 11, 27, 16), CAL, english) == "Friday 27 November 2026, 17:00"


def test_format_date_and_round_trip() -> None:
    result = parse_when("1 december om 10:00", NOW, CAL)
    assert isinstance(result, ParsedWhen)
    assert format_when(result.instant, CAL) == "dinsdag 1 december 2026, 10:00"
    assert format_date(CAL.local_date(result.instant), DUTCH_NAMES) == "dinsdag 1 december 2026"


def test_date_names_are_validated() -> None:
    with pytest.raises(ValueError):
        DateNames(weekdays=("ma",), months=DUTCH_NAMES.months)
